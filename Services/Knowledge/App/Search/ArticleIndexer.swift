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

    public func documents(after: UUID?) async throws -> [SearchDocument] {
        try await database.client.withConnection { try await store.articles(after: after, on: $0) }.map(ArticleSearchTerms.document)
    }

    public func documents(ids: Set<UUID>) async throws -> [SearchDocument] {
        try await database.client.withConnection { try await store.articles(ids: Array(ids), on: $0) }.map(ArticleSearchTerms.document)
    }
}
