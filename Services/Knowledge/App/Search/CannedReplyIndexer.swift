import Database
import Fleet
import Foundation
import PostgresNIO
import Search

/// This instance's canned reply index as a projection of PostgreSQL, fed by the `knowledge.canned_reply_*` events.
public struct CannedReplyIndexer: SearchProjection {
    public let index: SearchIndex
    let store: CannedReplyStore
    let database: Database

    public init(index: SearchIndex, database: Database) {
        self.index = index
        self.database = database
        self.store = CannedReplyStore(database: database)
    }

    public func changesDocument(_ eventType: String) -> Bool {
        ["knowledge.canned_reply_created", "knowledge.canned_reply_updated", "knowledge.canned_reply_deleted"].contains(eventType)
    }

    public func documents(after: UUID?) async throws -> [SearchDocument] {
        var binds = PostgresBindings()
        binds.append(after)
        return try await database.client.withConnection { connection in
            try await store.replies("WHERE id > \(KeysetCursor.uuidAfter("$1")) ORDER BY id LIMIT 1000", binds, on: connection)
        }.map(CannedReplySearchTerms.document)
    }

    public func documents(ids: Set<UUID>) async throws -> [SearchDocument] {
        var binds = PostgresBindings()
        binds.append(Array(ids))
        return try await database.client.withConnection { connection in
            try await store.replies("WHERE id = ANY($1)", binds, on: connection)
        }.map(CannedReplySearchTerms.document)
    }
}
