import Contracts
import Database
import Foundation
import PostgresNIO

/// "Featured on portal": the articles the knowledge base main page lists under their folder names.
extension ArticleStore {
    /// The brand's featured articles in `language` a visitor meeting `satisfies` may read, by folder name (articles
    /// without a folder first) and title, each with its folder's name.
    public func featured(brandID: UUID, language: String, satisfies: [String], limit: Int = 200) async throws -> [(folder: String?, article: Article)] {
        var binds = PostgresBindings()
        binds.append(brandID)
        binds.append(language)
        binds.append(satisfies)
        binds.append(limit)
        return try await database.client.withConnection { connection in
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT a.id, f.name FROM \(database.table("articles")) a LEFT JOIN \(database.table("folders")) f ON f.id = a.folder_id
                    WHERE (a.brand_id = $1 OR a.shared_brand_ids @> ARRAY[$1::uuid]) AND a.featured AND a.kind = 'article' AND a.language = $2
                      AND a.deleted_at IS NULL AND NOT a.is_private AND NOT a.is_draft AND a.published_at <= now()
                      AND (a.folder_id IS NULL OR f.effective_view_requires = ANY($3))
                    ORDER BY f.name NULLS FIRST, a.title, a.id LIMIT $4
                    """, binds: binds),
                logger: database.logger)
            var order: [(UUID, String?)] = []
            for try await row in rows.decode((UUID, String?).self) { order.append(row) }
            var ids = PostgresBindings()
            ids.append(order.map(\.0))
            let found = Dictionary(uniqueKeysWithValues: try await articles("WHERE id = ANY($1)", ids, on: connection).map { ($0.id, $0) })
            return order.compactMap { id, folder in found[id.lowercased].map { (folder, $0) } }
        }
    }
}
