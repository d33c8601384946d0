import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The files a message carries (a reply's Attach Files, a forward's attachments, the files a customer wrote with), kept
/// in `message_attachments` so a resend sends them again and a forward carries them on.
extension TicketStore {
    /// The ticket's attachments an outgoing message sends: those `named` (each must be the ticket's, and not
    /// internal unless `allowingInternal`), or with nil every attachment the customer could see. A wrong id is a 422
    /// naming `field`.
    func outgoingAttachments(
        _ named: [UUID]?, of ticketID: UUID, allowingInternal: Bool, field: String, on connection: PostgresConnection
    ) async throws -> [UUID] {
        var binds = PostgresBindings()
        binds.append(ticketID)
        binds.append(named)
        binds.append(allowingInternal)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT id FROM \(database.table("attachments"))
                WHERE ticket_id = $1 AND (CASE WHEN $2::uuid[] IS NULL THEN NOT internal ELSE id = ANY($2) AND ($3 OR NOT internal) END) ORDER BY id
                """, binds: binds), logger: database.logger)
        var found: [UUID] = []
        for try await id in rows.decode(UUID.self) { found.append(id) }
        if let named, Set(named) != Set(found) {
            throw Problem.unprocessable(
                allowingInternal ? "Only the ticket's own attachments can be sent." : "Only the ticket's own attachments that are not internal can be sent.",
                errors: [.init(field: field, message: "names an attachment the message cannot carry")])
        }
        return found
    }

    /// Records which attachments `messageID` carried.
    func record(_ attachments: [UUID], sentWith messageID: String, on connection: PostgresConnection) async throws {
        guard !attachments.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(UUID(parsing: messageID))
        binds.append(attachments)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("message_attachments")) (message_id, attachment_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// The attachments an outgoing message carried, by id.
    func attachments(sentWith messageID: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        var binds = PostgresBindings()
        binds.append(messageID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT attachment_id FROM \(database.table("message_attachments")) WHERE message_id = $1 ORDER BY attachment_id", binds: binds),
            logger: database.logger)
        var found: [UUID] = []
        for try await id in rows.decode(UUID.self) { found.append(id) }
        return found
    }

    /// Copies attachments onto another ticket under new ids, bytes and all (a split message's files go with it);
    /// answers the copies' ids.
    func copy(_ attachments: [UUID], to ticketID: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        guard !attachments.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(attachments)
        binds.append(attachments.map { _ in UUIDv7.generate() })
        binds.append(ticketID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("attachments")) (id, ticket_id, filename, content_type, size, internal, bytes, uploaded_by, created_at)
                SELECT pair.copy, $3, a.filename, a.content_type, a.size, a.internal, a.bytes, a.uploaded_by, a.created_at
                FROM unnest($1::uuid[], $2::uuid[]) AS pair(original, copy) JOIN \(database.table("attachments")) a ON a.id = pair.original
                RETURNING id
                """, binds: binds), logger: database.logger)
        var copies: [UUID] = []
        for try await id in rows.decode(UUID.self) { copies.append(id) }
        return copies
    }
}
