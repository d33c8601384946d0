import Contracts
import Database
import Foundation
import PostgresNIO

/// Deleted articles and news items are kept (found by "only deleted" searches) until they have been deleted for
/// `ArticleStore.purgeAfter`, then removed for good with their feedback, statistics and link results.
extension ArticleStore {
    public static let purgeAfter: TimeInterval = 90 * 86_400

    /// Purges up to `limit` items deleted before `before`, each with its `knowledge.<kind>_purged` event (which
    /// also takes it out of every instance's index); answers how many.
    @discardableResult
    public func purgeDeleted(before: Date, limit: Int = 100) async throws -> Int {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(before)
            binds.append(limit)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    DELETE FROM \(database.table("articles")) WHERE id = ANY(ARRAY(
                        SELECT id FROM \(database.table("articles")) WHERE deleted_at < $1 ORDER BY deleted_at LIMIT $2 FOR UPDATE SKIP LOCKED))
                    RETURNING id, brand_id, kind
                    """, binds: binds), logger: database.logger)
            var purged: [(UUID, UUID, String)] = []
            for try await row in rows.decode((UUID, UUID, String).self) { purged.append(row) }
            for (id, brand, kind) in purged {
                try await events.publish(
                    "knowledge.\(kind)_purged", subject: id.lowercased, brandID: brand.lowercased, data: PurgedData(id: id.lowercased, kind: kind),
                    on: connection)
            }
            return purged.count
        }
    }
}

struct PurgedData: Codable, Sendable {
    var id: String
    var kind: String
}
