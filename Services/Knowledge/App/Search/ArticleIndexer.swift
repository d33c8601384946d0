import Contracts
import Database
import Fleet
import Foundation
import PostgresNIO
import Search

/// This instance's article index as a projection of PostgreSQL (deleted articles too, for "only deleted").
public struct ArticleIndexer: SearchProjection {
    public let index: SearchIndex
    let database: Database
    let store: ArticleStore

    public init(index: SearchIndex, database: Database) {
        self.index = index
        self.database = database
        self.store = ArticleStore(database: database)
    }

    /// The events that change an item's document; views, ratings, feedback, searches and canned replies do not.
    public static let documentEvents: Set<String> = Set(ContentKind.allCases.flatMap { kind in
        ["created", "updated", "deleted", "purged", "access_changed"].map { "knowledge.\(kind.rawValue)_\($0)" }
    })

    public func changesDocument(_ eventType: String) -> Bool {
        Self.documentEvents.contains(eventType)
    }

    public func documents(after: UUID?) async throws -> [SearchDocument] {
        try await database.client.withConnection { try await documents(store.articles(after: after, on: $0), on: $0) }
    }

    public func documents(ids: Set<UUID>) async throws -> [SearchDocument] {
        try await database.client.withConnection { try await documents(store.articles(ids: Array(ids), on: $0), on: $0) }
    }

    /// Each article's document with what its folder adds (who may read it, whether it is suggested).
    private func documents(_ articles: [Article], on connection: PostgresConnection) async throws -> [SearchDocument] {
        let facts = try await store.folderFacts(Set(articles.compactMap { $0.folderID.flatMap(UUID.init(parsing:)) }), on: connection)
        return articles.map { article in
            ArticleSearchTerms.document(article, folder: article.folderID.flatMap { facts[$0] } ?? .open)
        }
    }
}
