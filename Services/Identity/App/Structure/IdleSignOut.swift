import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// "For a ticket to be assigned, the agent must be logged in" [S001:3254]; an agent who closes the console without
/// signing out has not signed out, but is gone all the same. The console renews its access token (15 minutes) while it
/// is open, which refreshes its session, so an agent none of whose sessions was refreshed for the idle time has
/// left: a sweep announces their `agent.signed_out` once, as signing out of the last session does, and a session
/// refreshed after that (the laptop woke up) announces `agent.signed_in` again.
public enum IdleSignOut {
    /// Four missed renewals: a console's tab asleep for a while is not yet gone.
    public static let defaultMinutes = 60

    /// Whether a session last refreshed at `refreshedAt` still keeps its agent signed in at `now`.
    public static func keepsSignedIn(refreshedAt: Date, idleMinutes: Int, now: Date) -> Bool {
        now.timeIntervalSince(refreshedAt) < TimeInterval(idleMinutes) * 60
    }
}

extension StructureRepository {
    /// Signs out, up to `limit` at a time, the agents announced as signed in whose every session went unrefreshed for
    /// `idleMinutes` (or ended); each gets one `agent.signed_out`. Instances share the work (SKIP LOCKED). The sessions
    /// are read again after the agents' rows are locked, so a refresh that committed meanwhile keeps its agent.
    public func signOutIdleAgents(idleMinutes: Int, now: Date = Date(), limit: Int = 100) async throws -> Int {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(now)
            binds.append(idleMinutes)
            binds.append(limit)
            let unused = """
                NOT EXISTS (
                    SELECT 1 FROM \(database.table("sessions")) s
                    WHERE s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > $1 AND s.refreshed_at > $1 - $2 * interval '1 minute')
                """
            let candidates = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT u.id FROM \(database.table("users")) u WHERE u.signed_in AND \(unused)
                    ORDER BY u.id LIMIT $3 FOR UPDATE OF u SKIP LOCKED
                    """, binds: binds),
                logger: database.logger
            ).collect().map { try $0.decode(UUID.self) }
            guard !candidates.isEmpty else { return 0 }
            var claimed = PostgresBindings()
            claimed.append(now)
            claimed.append(idleMinutes)
            claimed.append(candidates)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("users")) u SET signed_in = false WHERE u.id = ANY($3) AND \(unused) RETURNING u.id", binds: claimed),
                logger: database.logger)
            var idle: [UUID] = []
            for try await id in rows.decode(UUID.self) { idle.append(id) }
            for agent in idle { try await announceSignedOut(agent, handOff: false, stillSignedIn: false, on: connection) }
            return candidates.count
        }
    }

    /// A session refreshed after the sweep signed its agent out (their console slept): `agent.signed_in` again, once
    /// however many of their sessions refresh at the same time, and without "go Active upon login", which is for
    /// signing in. Nothing for an agent still signed in, or a user in no group.
    public func resumed(_ userID: UUID) async throws {
        try await database.transaction { connection in
            guard try await setSignedIn(userID, true, on: connection) else { return }
            let memberships = try await memberships(of: userID, on: connection)
            let session = AgentSession(userID: userID.uuidString.lowercased(), groupIDs: memberships.map(\.groupID))
            try await publish("agent.signed_in", subject: session.userID, brandID: nil, data: session, on: connection)
        }
    }

    /// Records whether identity announced the agent (a member of some group) as signed in; answers whether it changed.
    @discardableResult
    func setSignedIn(_ userID: UUID, _ signedIn: Bool, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(userID)
        binds.append(signedIn)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("users")) u SET signed_in = $2
                WHERE u.id = $1 AND u.signed_in IS DISTINCT FROM $2
                  AND EXISTS (SELECT 1 FROM \(database.table("group_members")) m WHERE m.user_id = u.id)
                RETURNING u.id
                """, binds: binds),
            logger: database.logger)
        for try await _ in rows { return true }
        return false
    }
}
