import Contracts
import Database
import Foundation
import NIOCore
import PostgresNIO
import ServiceKit

extension TicketStore {
    /// Stores an attachment and publishes `ticket.attachment_added` with the ticket's change; answers the ticket as
    /// it now is (its version moved) and the attachment.
    /// With a `key`, the file is written once however often it is sent: a retry answers the attachment the first
    /// upload wrote, `replayed`.
    public func attach(
        _ id: UUID, filename: String, contentType: String, bytes: ByteBuffer, isInternal: Bool, by actor: Actor, expectedVersion: Int? = nil,
        key: RequestKey? = nil
    ) async throws -> (ticket: Ticket, attachment: TicketAttachment, replayed: Bool) {
        var added: TicketAttachment?
        let (ticket, replayed) = try await modifyOnce(
            id, key: key, expectedVersion: expectedVersion, actor: actor, attachmentID: { added.flatMap { UUID(parsing: $0.id) } }
        ) { ticket, connection in
            if actor.kind == Actor.customer(nil).kind, ticket.status == .closedLocked { throw Self.ticketLocked }
            let attachment = try await insertAttachment(
                to: ticket, filename: filename, contentType: contentType, bytes: bytes, isInternal: isInternal, by: actor, on: connection)
            added = attachment
            return [attachment.addedEvent]
        }
        // A retry answers the first upload's description; its bytes stay where they are.
        if replayed, let key, let written = try await attachmentWritten(by: key)?.lowercased,
            let attachment = try await attachments(of: id, includingInternal: true).first(where: { $0.id == written })
        {
            return (ticket, attachment, true)
        }
        guard let added, !replayed else { throw Self.uploadGone }
        return (ticket, added, false)
    }

    /// Writes one attachment of `ticket` in the caller's change.
    func insertAttachment(
        to ticket: Ticket, filename: String, contentType: String, bytes: ByteBuffer, isInternal: Bool, by actor: Actor, on connection: PostgresConnection
    ) async throws -> TicketAttachment {
        let attachment = TicketAttachment(
            id: UUIDv7.generate().lowercased, ticketID: ticket.id, filename: filename, contentType: contentType, size: bytes.readableBytes,
            isInternal: isInternal, uploadedBy: actor.id, createdAt: Date())
        var binds = PostgresBindings()
        binds.append(UUID(parsing: attachment.id))
        binds.append(UUID(parsing: ticket.id))
        binds.append(filename)
        binds.append(contentType)
        binds.append(attachment.size)
        binds.append(isInternal)
        binds.append(bytes)
        binds.append(actor.id.flatMap(UUID.init(parsing:)))
        binds.append(attachment.createdAt)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("attachments")) (id, ticket_id, filename, content_type, size, internal, bytes, uploaded_by, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, binds: binds), logger: database.logger
        ).consume()
        return attachment
    }

    static var uploadGone: Problem {
        Problem.conflict("The file this Idempotency-Key uploaded is no longer on the ticket.")
    }

    public func attachments(of id: UUID, includingInternal: Bool) async throws -> [TicketAttachment] {
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(includingInternal)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, filename, content_type, size, internal, uploaded_by, created_at FROM \(database.table("attachments"))
                WHERE ticket_id = $1 AND ($2 OR NOT internal) ORDER BY id
                """, binds: binds), logger: database.logger)
        var result: [TicketAttachment] = []
        for try await (attachment, name, type, size, isInternal, by, created) in rows.decode((UUID, String, String, Int, Bool, UUID?, Date).self) {
            result.append(TicketAttachment(
                id: attachment.lowercased, ticketID: id.lowercased, filename: name, contentType: type, size: size, isInternal: isInternal,
                uploadedBy: by?.lowercased, createdAt: created))
        }
        return result
    }

    /// The attachment's description and bytes, nil when missing or isInternal for a customer.
    public func attachment(_ attachmentID: UUID, of id: UUID, includingInternal: Bool) async throws -> (TicketAttachment, ByteBuffer)? {
        var binds = PostgresBindings()
        binds.append(attachmentID)
        binds.append(id)
        binds.append(includingInternal)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT filename, content_type, size, internal, uploaded_by, created_at, bytes FROM \(database.table("attachments"))
                WHERE id = $1 AND ticket_id = $2 AND ($3 OR NOT internal)
                """, binds: binds), logger: database.logger)
        for try await (name, type, size, isInternal, by, created, bytes) in rows.decode((String, String, Int, Bool, UUID?, Date, ByteBuffer).self) {
            return (TicketAttachment(
                id: attachmentID.lowercased, ticketID: id.lowercased, filename: name, contentType: type, size: size, isInternal: isInternal,
                uploadedBy: by?.lowercased, createdAt: created), bytes)
        }
        return nil
    }
}
