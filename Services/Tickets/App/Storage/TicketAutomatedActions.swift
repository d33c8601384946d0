import Foundation
import PostgresNIO

/// The ticket actions of an automation rule (``TicketActionsCommand``): each as an agent's would be, without an
/// agent, in one change of the ticket.
public struct TicketActions: Sendable, Equatable {
    public var transfer: TicketTransfer?
    public var status: TicketStatus?
    public var priority: TicketPriority?
    public var pinned: Bool?

    public init(transfer: TicketTransfer? = nil, status: TicketStatus? = nil, priority: TicketPriority? = nil, pinned: Bool? = nil) {
        self.transfer = transfer
        self.status = status
        self.priority = priority
        self.pinned = pinned
    }
}

extension TicketStore {
    /// Transfer, status (through the department's close guards), priority and pin, in that order, in the caller's
    /// transaction; any refusal changes nothing.
    func apply(_ actions: TicketActions, to id: UUID, by actor: Actor, on connection: PostgresConnection) async throws -> Ticket {
        try await modify(id, expectedVersion: nil, actor: actor, on: connection) { ticket, connection in
            var published: [(type: String, details: [String: String])] = []
            if let transfer = actions.transfer { published += try await transferChange(&ticket, transfer, by: actor.id ?? "", on: connection) }
            if let status = actions.status {
                try await checkClose(ticket, to: status, on: connection)
                if let change = apply(status, to: &ticket, cause: actor.kind) { published.append(change) }
            }
            if let priority = actions.priority { published += Self.setPriority(priority, of: &ticket) }
            if let pinned = actions.pinned { published += try Self.setPinned(pinned, of: &ticket) }
            return published
        }
    }
}
