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
    /// `idleMinutes` (or ended); each gets one `agent.signed_out`. Instances share the work (SKIP LOCKED).
    public func signOutIdleAgents(idleMinutes: Int, now: Date = Date(), limit: Int = 100) async throws -> Int {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(now)
            binds.append(idleMinutes)
            binds.append(limit)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    WITH idle AS (
                        SELECT u.id FROM \(database.table("users")) u
                        WHERE u.signed_in AND NOT EXISTS (
                            SELECT 1 FROM \(database.table("sessions")) s
                            WHERE s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > $1 AND s.refreshed_at > $1 - $2 * interval '1 minute')
                        ORDER BY u.id LIMIT $3 FOR UPDATE OF u SKIP LOCKED)
                    UPDATE \(database.table("users")) u SET signed_in = false FROM idle WHERE u.id = idle.id RETURNING u.id
                    """, binds: binds),
                logger: database.logger)
            var idle: [UUID] = []
            for try await id in rows.decode(UUID.self) { idle.append(id) }
            for agent in idle { try await announceSignedOut(agent, handOff: false, stillSignedIn: false, on: connection) }
            return idle.count
        }
    }

    /// Whether the agent was signed out by the sweep (or never announced): a refreshed session then signs them in again.
    public func isSignedOutAgent(_ userID: UUID) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(userID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT NOT u.signed_in FROM \(database.table("users")) u
                WHERE u.id = $1 AND EXISTS (SELECT 1 FROM \(database.table("group_members")) m WHERE m.user_id = u.id)
                """, binds: binds),
            logger: database.logger)
        for try await signedOut in rows.decode(Bool.self) { return signedOut }
        return false
    }

    /// Records whether identity announced the agent as signed in.
    func setSignedIn(_ userID: UUID, _ signedIn: Bool, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(userID)
        binds.append(signedIn)
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("users")) SET signed_in = $2 WHERE id = $1", binds: binds), logger: database.logger
        ).consume()
    }
}
