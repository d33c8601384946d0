import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

extension TicketStore {
    /// Messages chosen by `tail` (`WHERE …`, `ORDER BY …`, `LIMIT …`).
    func messages(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [TicketMessage] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, ticket_id, direction, author_id, from_address, to_addresses, cc_addresses, bcc_addresses, body_html, body_text, created_at,
                       subject, quoted_html, quoted_text
                FROM \(database.table("messages")) \(tail)
                """, binds: binds), logger: database.logger)
        var result: [TicketMessage] = []
        for try await row in rows {
            let columns = row.makeRandomAccess()
            result.append(TicketMessage(
                id: try columns[0].decode(UUID.self).lowercased, ticketID: try columns[1].decode(UUID.self).lowercased,
                direction: TicketMessage.Direction(rawValue: try columns[2].decode(String.self)) ?? .incoming,
                authorID: try columns[3].decode(UUID?.self)?.lowercased, from: try columns[4].decode(String.self),
                to: try columns[5].decode([String].self), cc: try columns[6].decode([String].self), bcc: try columns[7].decode([String].self),
                bodyHTML: try columns[8].decode(String.self), bodyText: try columns[9].decode(String.self), createdAt: try columns[10].decode(Date.self),
                subject: try columns[11].decode(String?.self), quotedHTML: try columns[12].decode(String?.self),
                quotedText: try columns[13].decode(String?.self)))
        }
        return result
    }

    /// One of the ticket's messages; 404 when the ticket has no such message.
    func message(_ messageID: UUID, of ticketID: UUID, on connection: PostgresConnection) async throws -> TicketMessage {
        var binds = PostgresBindings()
        binds.append(messageID)
        binds.append(ticketID)
        guard let found = try await messages("WHERE id = $1 AND ticket_id = $2", binds, on: connection).first else {
            throw Problem.notFound("The ticket has no such message.")
        }
        return found
    }

    public func message(_ messageID: UUID, of ticketID: UUID) async throws -> TicketMessage {
        try await database.client.withConnection { connection in try await message(messageID, of: ticketID, on: connection) }
    }

    /// What a reply sent now quotes below its text: the latest messages (not forwards), `limit` of them (Max Messages in
    /// Replies); nil when there are none or the limit is 0.
    func quotedHistory(of ticketID: UUID, limit: Int, agentsAs department: String, on connection: PostgresConnection) async throws -> (html: String, text: String)? {
        guard limit > 0 else { return nil }
        var binds = PostgresBindings()
        binds.append(ticketID)
        binds.append(limit)
        let latest = try await messages("WHERE ticket_id = $1 AND NOT forwarded ORDER BY id DESC LIMIT $2", binds, on: connection)
        return latest.isEmpty ? nil : ReplyComposer.quote(latest, agentsAs: department)
    }

    /// The name its agents' replies are quoted under: the ticket's department.
    func departmentName(of ticket: Ticket, on connection: PostgresConnection) async throws -> String {
        guard let id = UUID(parsing: ticket.departmentID), let department = try await department(id, on: connection) else { return "Support" }
        return department.name
    }

    /// What a new reply on `ticket` starts with: Reply or Reply All (the setting's default unless `mode` names one),
    /// the latest messages quoted as Max Messages in Replies says, and the signature it will end with.
    public func composeReply(
        _ ticket: Ticket, mode: TicketSettings.ReplyOption?, agent: String, agentAddress: String, scheme: String
    ) async throws -> ReplyComposition {
        let settings = try await settings()
        let mode = mode ?? settings.defaultReplyOption
        var binds = PostgresBindings()
        binds.append(UUID(parsing: ticket.id))
        binds.append(settings.maxMessagesInReplies)
        return try await database.client.withConnection { connection in
            let latest = try await messages("WHERE ticket_id = $1 AND NOT forwarded ORDER BY id DESC LIMIT $2", binds, on: connection)
            let (to, cc, bcc, leftOut) = try await recipients(of: ticket, mode, agentAddress: agentAddress, on: connection)
            let quote = ReplyComposer.quote(latest, agentsAs: try await departmentName(of: ticket, on: connection))
            return ReplyComposition(
                mode: mode, subject: ticket.subject, to: to, cc: cc, bcc: bcc, quoteHTML: quote.html, quoteText: quote.text, quotedMessageIDs: latest.map(\.id),
                signatureHTML: try await renderedSignature(for: ticket, agent: agent, agentAddress: agentAddress, scheme: scheme, on: connection),
                leftOut: leftOut)
        }
    }

    /// Whom a reply of `mode` goes to (``ReplyComposer/recipients(_:customerEmail:latestIncoming:latestOutgoing:agentAddress:addressChangedAt:)``),
    /// from the ticket's latest messages and the last change of its address, and whom it cannot
    /// (``ReplyComposer/replyable(_:customerEmail:)``); To is empty when nobody can be answered.
    func recipients(
        of ticket: Ticket, _ mode: TicketSettings.ReplyOption, agentAddress: String, on connection: PostgresConnection
    ) async throws -> (to: [String], cc: [String], bcc: [String], leftOut: [String]) {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: ticket.id))
        let latestIncoming = try await messages("WHERE ticket_id = $1 AND direction = 'in' ORDER BY id DESC LIMIT 1", binds, on: connection).first
        // The latest reply to the customer: an agent's forward (to a vendor, a colleague) is not one.
        let latestOutgoing = try await messages(
            "WHERE ticket_id = $1 AND direction = 'out' AND NOT forwarded ORDER BY id DESC LIMIT 1", binds, on: connection).first
        let changed = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT max(at) FROM \(database.table("history")) WHERE ticket_id = $1 AND action = 'ticket.email_changed'
                """, binds: binds), logger: database.logger)
        var addressChangedAt: Date?
        for try await at in changed.decode(Date?.self) { addressChangedAt = at }
        let recipients = ReplyComposer.recipients(
            mode, customerEmail: ticket.customerEmail, latestIncoming: latestIncoming, latestOutgoing: latestOutgoing, agentAddress: agentAddress,
            addressChangedAt: addressChangedAt)
        return ReplyComposer.replyable(recipients, customerEmail: ticket.customerEmail)
    }

    /// The answer when neither whom the ticket's latest message came from nor the ticket's own address can be replied to.
    static func noReplyableAddress(_ ticket: Ticket) -> Problem {
        Problem.unprocessable(
            "The ticket's address \(ticket.customerEmail) cannot be replied to by email; change the ticket's email address or name the recipients.",
            errors: [.init(field: "to", message: "no address of the ticket can be replied to")])
    }
}
