import Contracts
import Database
import Foundation
import Hummingbird
import PostgresNIO

/// A message as agents may inspect it: Show HTML (what the sender wrote, or the safe HTML when nothing was removed)
/// and Raw Content (the whole email, when it came by email). PostgreSQL compresses both as it stores them (TOAST).
public struct MessageSourceView: Codable, Sendable, Equatable, ResponseEncodable {
    public var messageID: String
    public var html: String
    /// Whether `html` is the sender's own, which making it safe changed; false: the safe HTML is all there was.
    public var htmlIsOriginal: Bool
    public var rawContent: String?
}

extension TicketStore {
    /// Keeps what a new message was before it was made safe, in the transaction that stores the message.
    func keep(_ source: MessageSource, of messageID: String, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: messageID))
        binds.append(source.originalHTML)
        binds.append(source.rawContent)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("message_sources")) (message_id, original_html, raw_content) VALUES ($1, $2, $3)
                ON CONFLICT (message_id) DO NOTHING
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// What was kept of the message before it was made safe, nil when nothing was.
    func keptSource(of messageID: UUID, on connection: PostgresConnection) async throws -> MessageSource? {
        var binds = PostgresBindings()
        binds.append(messageID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT original_html, raw_content FROM \(database.table("message_sources")) WHERE message_id = $1", binds: binds),
            logger: database.logger)
        for try await (html, raw) in rows.decode((String?, String?).self) { return MessageSource(originalHTML: html, rawContent: raw) }
        return nil
    }

    /// The message of the ticket as Show HTML and Raw Content read it; nil when the ticket has no such message.
    public func source(of messageID: UUID, ticket ticketID: UUID) async throws -> MessageSourceView? {
        var binds = PostgresBindings()
        binds.append(messageID)
        binds.append(ticketID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT m.body_html, s.original_html, s.raw_content FROM \(database.table("messages")) m
                LEFT JOIN \(database.table("message_sources")) s ON s.message_id = m.id WHERE m.id = $1 AND m.ticket_id = $2
                """, binds: binds), logger: database.logger)
        for try await (safe, original, raw) in rows.decode((String, String?, String?).self) {
            return MessageSourceView(messageID: messageID.lowercased, html: original ?? safe, htmlIsOriginal: original != nil, rawContent: raw)
        }
        return nil
    }
}
