import Database
import Foundation
import Logging
import PostgresNIO
import Search

/// Keeps this instance's search index a projection of PostgreSQL: rebuilt from the tables when missing or of
/// another schema, and brought up to date ticket by ticket (always from the tables, so replays are harmless).
public struct TicketIndexer: Sendable {
    public let index: SearchIndex
    let database: Database
    let store: TicketStore

    public init(index: SearchIndex, database: Database) {
        self.index = index
        self.database = database
        self.store = TicketStore(database: database)
    }

    /// Re-indexes every ticket (deleted ones too, for "only deleted items") when the index needs it.
    public func rebuildIfNeeded(logger: Logger) async throws {
        guard await index.needsRebuild else { return }
        let start = ContinuousClock.now
        var after: UUID?
        var count = 0
        while true {
            var binds = PostgresBindings()
            binds.append(after)
            let ids = try await database.client.withConnection { connection in
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT id FROM \(database.table("tickets")) WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT 500", binds: binds),
                    logger: database.logger)
                var ids: [UUID] = []
                for try await id in rows.decode(UUID.self) { ids.append(id) }
                return ids
            }
            guard let last = ids.last else { break }
            for id in ids { try await reindex(id, commit: false) }
            count += ids.count
            after = last
        }
        try await index.markBuilt()
        logger.info("ticket search index rebuilt", metadata: ["tickets": "\(count)", "duration": "\(ContinuousClock.now - start)"])
    }

    /// Writes the ticket's current state into the index, or removes it when it is gone (purged or merged away).
    public func reindex(_ id: UUID, commit: Bool = true) async throws {
        let document = try await database.client.withConnection { connection -> SearchDocument? in
            guard let ticket = try await store.find(id, on: connection, lock: false, includingDeleted: true) else { return nil }
            var texts = try await self.texts(of: id, on: connection)
            texts.fields = try await store.fieldValues(of: id, on: connection)
            return TicketSearchTerms.document(ticket, texts: texts, deleted: try await isDeleted(id, on: connection))
        }
        if let document { try await index.replace(document) } else { try await index.delete(id: id.uuidString.lowercased()) }
        if commit { try await index.commit() }
    }

    private func texts(of id: UUID, on connection: PostgresConnection) async throws -> TicketSearchTerms.Texts {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT 'message', body_text FROM \(database.table("messages")) WHERE ticket_id = $1
                UNION ALL SELECT type, body FROM \(database.table("comments")) WHERE ticket_id = $1
                """, binds: binds), logger: database.logger)
        var texts = TicketSearchTerms.Texts(messages: [], comments: [], resolutions: [])
        for try await (kind, text) in rows.decode((String, String).self) {
            switch kind {
            case "message": texts.messages.append(text)
            case CommentType.resolution.rawValue: texts.resolutions.append(text)
            default: texts.comments.append(text)
            }
        }
        return texts
    }

    private func isDeleted(_ id: UUID, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT deleted_at IS NOT NULL FROM \(database.table("tickets")) WHERE id = $1", binds: binds), logger: database.logger)
        for try await deleted in rows.decode(Bool.self) { return deleted }
        return false
    }
}
