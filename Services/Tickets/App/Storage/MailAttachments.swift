import Contracts
import Database
import Foundation
import NIOCore
import PostgresNIO
import ServiceKit

extension TicketStore {
    /// The files a customer's email carried, in the command's transaction: those the end users' upload rules allow are
    /// the ticket's attachments, carried by its latest incoming message (the one the email just added or opened it
    /// with); the others are named in a General comment (``MailAttachmentSorting``). One change of the ticket.
    /// Answers the ticket as it now is, nil when there were no files.
    @discardableResult
    func attachMail(_ files: [MailAttachment], to ticketID: UUID, actor: Actor, on connection: PostgresConnection) async throws -> Ticket? {
        guard !files.isEmpty else { return nil }
        let (kept, refused) = MailAttachmentSorting.sort(files, policy: try await attachmentPolicy(.standard))
        let message = try await latestIncomingMessage(of: ticketID, on: connection)
        return try await modify(ticketID, expectedVersion: nil, actor: actor, on: connection, restartsWaiting: false) { ticket, connection in
            var published: [(type: String, details: [String: String])] = []
            var attached: [UUID] = []
            for file in kept {
                let attachment = try await insertAttachment(
                    to: ticket, filename: file.filename, contentType: file.contentType, bytes: ByteBuffer(bytes: file.bytes), isInternal: false, by: actor,
                    on: connection)
                attached += UUID(parsing: attachment.id).map { [$0] } ?? []
                published.append(attachment.addedEvent)
            }
            if let message { try await record(attached, sentWith: message.lowercased, on: connection) }
            if !refused.isEmpty {
                let comment = try await addComment(ticket.id, type: .general, body: MailAttachmentSorting.comment(refused), author: nil, on: connection)
                published.append(("ticket.comment_added", comment.eventDetails))
            }
            return published
        }
    }

    private func latestIncomingMessage(of ticketID: UUID, on connection: PostgresConnection) async throws -> UUID? {
        var binds = PostgresBindings()
        binds.append(ticketID)
        return try await connection.firstValue(
            PostgresQuery(
                unsafeSQL: "SELECT id FROM \(database.table("messages")) WHERE ticket_id = $1 AND direction = 'in' ORDER BY id DESC LIMIT 1", binds: binds),
            as: UUID.self, logger: database.logger)
    }
}
