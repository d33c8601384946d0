import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// "Forward traffic" of a deleted article or news item (seed 001, 4377): search engines and bookmarks that ask for
/// its page are sent on, permanently, to the item chosen when it was deleted.
extension ArticleStore {
    /// The most forwards followed from one page (a forward's target may itself be deleted and forwarded later).
    static let maximumForwardHops = 5

    func forward(_ article: Article, to target: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(target)
        binds.append(article.kind.rawValue)
        binds.append(UUID(parsing: article.brandID))
        let live = try await articles("WHERE id = $1 AND kind = $2 AND brand_id = $3 AND deleted_at IS NULL", binds, on: connection)
        guard target.lowercased != article.id, !live.isEmpty else {
            throw Problem.unprocessable(
                "Traffic can only be forwarded to another live \(article.kind.noun) of the same brand.",
                errors: [.init(field: "forwardTo", message: "unknown \(article.kind.noun)")])
        }
        var forward = PostgresBindings()
        forward.append(UUID(parsing: article.id))
        forward.append(target)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("forwards")) (from_id, to_id, created_at) VALUES ($1, $2, now())
                ON CONFLICT (from_id) DO UPDATE SET to_id = $2, created_at = now()
                """, binds: forward),
            logger: database.logger
        ).consume()
    }

    /// Where the page of a deleted (or purged) item now leads: the first visible item down its forwards, or nil.
    public func forwarded(from id: UUID) async throws -> Article? {
        try await database.client.withConnection { connection in
            var current = id
            for _ in 0..<Self.maximumForwardHops {
                var binds = PostgresBindings()
                binds.append(current)
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT to_id FROM \(database.table("forwards")) WHERE from_id = $1", binds: binds), logger: database.logger)
                var next: UUID?
                for try await target in rows.decode(UUID.self) { next = target }
                guard let next else { return nil }
                var targetBinds = PostgresBindings()
                targetBinds.append(next)
                if let target = try await articles("WHERE id = $1 AND deleted_at IS NULL", targetBinds, on: connection).first {
                    return target.isVisible() ? target : nil
                }
                current = next
            }
            return nil
        }
    }
}
