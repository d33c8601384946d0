import Contracts
import Database
import Fleet
import Foundation
import Logging
import PostgresNIO
import Search

/// This instance's ticket index as a projection of PostgreSQL: a ticket's document is its subject, messages,
/// comments, resolutions, custom field values and the terms its visibility and criteria filter on.
public struct TicketIndexer: SearchProjection {
    public let index: SearchIndex
    let database: Database
    let store: TicketStore

    public init(index: SearchIndex, database: Database) {
        self.index = index
        self.database = database
        self.store = TicketStore(database: database)
    }

    /// After `$1` (nil: from the start), the next thousand tickets by id, on the primary key's order.
    static let rebuildBatch = "WHERE id > \(KeysetCursor.uuidAfter("$1")) ORDER BY id LIMIT 1000"

    /// The next thousand tickets by id, deleted ones too (for "only deleted items").
    public func documents(after: UUID?) async throws -> [SearchDocument] {
        var binds = PostgresBindings()
        binds.append(after)
        return try await database.client.withConnection { connection in
            try await documents(try await store.tickets(Self.rebuildBatch, binds, on: connection), on: connection)
        }
    }

    /// Task events name a task, not a ticket (a ticket's related items are not in its document).
    public func changesDocument(_ eventType: String) -> Bool { !eventType.hasPrefix("task.") }

    public func documents(ids: Set<UUID>) async throws -> [SearchDocument] {
        try await database.client.withConnection { connection in
            try await documents(try await store.tickets(ids: Array(ids), includingDeleted: true, on: connection), on: connection)
        }
    }

    /// The tickets' documents: their messages, comments, custom field values and deletion, one query for all.
    private func documents(_ tickets: [Ticket], on connection: PostgresConnection) async throws -> [SearchDocument] {
        guard !tickets.isEmpty else { return [] }
        var ids = PostgresBindings()
        ids.append(tickets.compactMap { UUID(parsing: $0.id) })
        var texts: [String: TicketSearchTerms.Texts] = [:]
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT ticket_id, 'message', body_text FROM \(database.table("messages")) WHERE ticket_id = ANY($1)
                UNION ALL SELECT ticket_id, type, body FROM \(database.table("comments")) WHERE ticket_id = ANY($1)
                UNION ALL SELECT ticket_id, 'field:' || field_id::text, value FROM \(database.table("ticket_field_values")) WHERE ticket_id = ANY($1)
                UNION ALL SELECT ticket_id, 'participant', email FROM \(database.table("ticket_participants")) WHERE ticket_id = ANY($1)
                UNION ALL SELECT id, 'deleted', coalesce(deleted_by::text, '') FROM \(database.table("tickets")) WHERE id = ANY($1) AND deleted_at IS NOT NULL
                """, binds: ids), logger: database.logger)
        for try await (id, kind, text) in rows.decode((UUID, String, String).self) {
            texts[id.lowercased, default: Self.noTexts].add(kind, text)
        }
        return tickets.map { ticket in
            var found = texts[ticket.id] ?? Self.noTexts
            let deletedBy = found.fields.removeValue(forKey: Self.deletedMark)
            return TicketSearchTerms.document(ticket, texts: found, deleted: deletedBy != nil, deletedBy: deletedBy.flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    private static let noTexts = TicketSearchTerms.Texts(messages: [], comments: [], resolutions: [])
    /// Set in `Texts.fields` by the documents query for a deleted ticket, to who deleted it ("" for the system);
    /// never a field id (those are UUIDs).
    fileprivate static let deletedMark = "deleted"
}

extension TicketSearchTerms.Texts {
    /// Files one row of the rebuild's batch query: a message, a comment of its type, a custom field value
    /// ("field:<id>"), a sharing customer's address or the deleted mark.
    fileprivate mutating func add(_ kind: String, _ text: String) {
        switch kind {
        case "message": messages.append(text)
        case "participant": participants.append(text)
        case CommentType.resolution.rawValue: resolutions.append(text)
        case TicketIndexer.deletedMark: fields[kind] = text
        default:
            if kind.hasPrefix("field:") { fields[String(kind.dropFirst(6))] = text } else { comments.append(text) }
        }
    }
}
