import Contracts
import Database
import Foundation
import PostgresNIO

/// Announces articles and news items that reached their stale date ("KB Article Stale", seed 001, 8306): once per
/// stale date (a new date, set by reviewing or by unchecking Stale, may be announced again); instances share the
/// work (SKIP LOCKED). A stale article stays available; the Stale view lists it.
extension ArticleStore {
    /// Announces up to `limit` items whose stale date is `now` or earlier, each with `knowledge.<kind>_stale`;
    /// answers how many.
    @discardableResult
    public func announceStale(now: Date = Date(), limit: Int = 100) async throws -> Int {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(now)
            binds.append(limit)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE \(database.table("articles")) SET stale_signalled_at = $1 WHERE id = ANY(ARRAY(
                        SELECT id FROM \(database.table("articles"))
                        WHERE stale_at <= $1 AND stale_signalled_at IS NULL AND deleted_at IS NULL
                        ORDER BY stale_at LIMIT $2 FOR UPDATE SKIP LOCKED))
                    RETURNING id, brand_id, kind, title, stale_at, assigned_agent_id
                    """, binds: binds), logger: database.logger)
            var stale: [StaleData] = []
            for try await (id, brand, kind, title, staleAt, agent) in rows.decode((UUID, UUID, String, String, Date, UUID?).self) {
                stale.append(StaleData(id: id.lowercased, brandID: brand.lowercased, kind: kind, title: title, staleAt: staleAt, assignedAgentID: agent?.lowercased))
            }
            for item in stale {
                try await events.publish("knowledge.\(item.kind)_stale", subject: item.id, brandID: item.brandID, data: item, on: connection)
            }
            return stale.count
        }
    }
}

struct StaleData: Codable, Sendable {
    var id: String
    var brandID: String
    var kind: String
    var title: String
    var staleAt: Date
    var assignedAgentID: String?
}
