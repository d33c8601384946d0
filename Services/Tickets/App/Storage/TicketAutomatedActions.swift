import Contracts
import Foundation
import PostgresNIO
import ServiceKit

/// The ticket actions of an automation rule (``TicketActionsCommand``): each as an agent's would be, without an
/// agent, in one change of the ticket.
public struct TicketActions: Sendable, Equatable {
    /// Send Reply to Ticket: a reply without an agent, from the department.
    public struct Reply: Sendable, Equatable {
        public var html: String
        public var text: String
    }

    public var transfer: TicketTransfer?
    public var reply: Reply?
    public var status: TicketStatus?
    public var priority: TicketPriority?
    public var pinned: Bool?

    public init(
        transfer: TicketTransfer? = nil, reply: Reply? = nil, status: TicketStatus? = nil, priority: TicketPriority? = nil, pinned: Bool? = nil
    ) {
        self.transfer = transfer
        self.reply = reply
        self.status = status
        self.priority = priority
        self.pinned = pinned
    }
}

extension TicketStore {
    /// Transfer, reply, status (through the department's close guards), priority and pin, in that order, in the
    /// caller's transaction; any refusal changes nothing. With a transfer, the status goes with it, as Send and
    /// Transfer's does: whether the receiving agent counts the ticket toward Max Tickets follows the status it ends with.
    func apply(_ actions: TicketActions, to id: UUID, by actor: Actor, on connection: PostgresConnection) async throws -> Ticket {
        try await modify(id, expectedVersion: nil, actor: actor, on: connection) { ticket, connection in
            var published: [(type: String, details: [String: String])] = []
            if var transfer = actions.transfer {
                transfer.status = actions.status ?? transfer.status
                published += try await transferChange(&ticket, transfer, by: actor.id ?? "", on: connection)
            }
            if let reply = actions.reply { published.append(try await automatedReply(reply, to: &ticket, on: connection)) }
            if let status = actions.status, actions.transfer == nil {
                try await checkClose(ticket, to: status, on: connection)
                if let change = apply(status, to: &ticket, cause: actor.kind) { published.append(change) }
            }
            if let priority = actions.priority { published += Self.setPriority(priority, of: &ticket) }
            if let pinned = actions.pinned { published += try Self.setPinned(pinned, of: &ticket) }
            return published
        }
    }

    /// An outgoing message to the ticket's customer from its department, not an agent: it is not an agent's response
    /// (the response clock does not stop), and `ticket.replied` (with `automated`) tells the mail sender to send it. An
    /// address no reply may carry (``ReplyComposer/replyable(_:customerEmail:)``) leaves it addressed to nobody: the
    /// customer reads it on the portal.
    private func automatedReply(
        _ reply: TicketActions.Reply, to ticket: inout Ticket, on connection: PostgresConnection
    ) async throws -> (type: String, details: [String: String]) {
        let message = TicketMessage(
            id: UUIDv7.generate().lowercased, ticketID: ticket.id, direction: .outgoing, authorID: nil, from: "department",
            to: EmailAddress.validated(ticket.customerEmail).map { [$0] } ?? [], cc: [], bcc: [], bodyHTML: reply.html, bodyText: reply.text, createdAt: Date())
        try await insert(message, on: connection)
        ticket.messagesOut += 1
        ticket.idleSince = message.createdAt
        // Where it was written, as an agent's reply says: after the rule's transfer, which comes first.
        return ("ticket.replied", [
            "messageID": message.id, "automated": "true", "attachmentIDs": "",
            "brandID": ticket.brandID, "departmentID": ticket.departmentID, "groupID": ticket.groupID,
        ])
    }
}
