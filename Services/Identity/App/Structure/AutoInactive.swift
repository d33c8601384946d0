import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Auto-Inactive (an agent's group relationship, seed 001): an agent without activity for the group's
/// "Auto-Inactive" minutes goes inactive there, and with "Hand-off on Auto-Inactive" their active tickets go to
/// other agents. Activity is the agent console's signal (`POST /me/activity` while someone works) and signing in.
public enum AutoInactive {
    /// Activity is written at most this often per agent, so a busy console does not write on every signal.
    public static let activityGranularity: TimeInterval = 30

    /// Whether an agent last active at `lastActivity` (nil: never) is due to go inactive after `minutes`.
    public static func isDue(lastActivity: Date?, minutes: Int, now: Date) -> Bool {
        guard let lastActivity else { return true }
        return now.timeIntervalSince(lastActivity) >= TimeInterval(minutes) * 60
    }
}

extension StructureRepository {
    /// Notes that the agent is working now.
    public func recordActivity(_ userID: UUID, now: Date = Date()) async throws {
        var binds = PostgresBindings()
        binds.append(userID)
        binds.append(now)
        binds.append(now.addingTimeInterval(-AutoInactive.activityGranularity))
        try await database.client.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("users")) SET last_activity_at = $2 WHERE id = $1 AND (last_activity_at IS NULL OR last_activity_at < $3)
                """, binds: binds),
            logger: database.logger
        ).consume()
    }

    /// Sets inactive, in every channel they are active in, up to `limit` memberships whose agent has been idle past
    /// the group's Auto-Inactive minutes; each change is an `agent.status_changed` by "auto-inactive", the tickets one
    /// carrying `handOff` where the group says so. Instances share the work (SKIP LOCKED). Answers how many.
    public func autoInactivate(now: Date = Date(), limit: Int = 100) async throws -> Int {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(now)
            binds.append(limit)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT m.group_id, m.user_id, m.tickets_active, m.chats_active, m.hand_off_on_auto_inactive
                    FROM \(database.table("group_members")) m JOIN \(database.table("users")) u ON u.id = m.user_id
                    WHERE m.auto_inactive_minutes IS NOT NULL AND (m.tickets_active OR m.chats_active)
                      AND coalesce(u.last_activity_at, '-infinity') <= $1 - m.auto_inactive_minutes * interval '1 minute'
                    ORDER BY m.user_id, m.group_id LIMIT $2 FOR UPDATE OF m SKIP LOCKED
                    """, binds: binds),
                logger: database.logger)
            var due: [(group: UUID, user: UUID, tickets: Bool, chats: Bool, handOff: Bool)] = []
            for try await row in rows.decode((UUID, UUID, Bool, Bool, Bool).self) { due.append(row) }
            for membership in due {
                let group = membership.group.uuidString.lowercased()
                if membership.tickets {
                    _ = try await setStatus(
                        StatusChange(groupID: group, channel: .tickets, active: false), of: membership.user, by: "auto-inactive",
                        handOff: membership.handOff, on: connection)
                }
                if membership.chats {
                    _ = try await setStatus(StatusChange(groupID: group, channel: .chats, active: false), of: membership.user, by: "auto-inactive", on: connection)
                }
            }
            return due.count
        }
    }
}
