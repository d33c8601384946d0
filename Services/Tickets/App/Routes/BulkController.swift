import Auth
import Contracts
import Foundation
import Hummingbird
import Logging
import ServiceKit

/// `POST /api/v1/tickets/bulk` body: one action on many tickets (merging several is `POST …/merge`).
public struct BulkRequest: Decodable, Sendable {
    public enum Action: String, Decodable, Sendable {
        case status, priority, pin, unpin, take, delete, transfer
        case followUp = "follow_up"
        case removeFollowUp = "remove_follow_up"
    }

    public var ticketIDs: [String]
    public var action: Action
    public var status: TicketStatus?
    public var priority: TicketPriority?
    public var transfer: TransferRequest?
    public var followUp: FollowUpRequest?

    /// The part an action needs: its value, or the transfer or follow-up it makes on each ticket.
    var missingPart: String? {
        switch action {
        case .status where status == nil: "status"
        case .priority where priority == nil: "priority"
        case .transfer where transfer == nil: "transfer"
        case .followUp where followUp == nil: "followUp"
        default: nil
        }
    }
}

/// One ticket's outcome in a bulk action: its new version, or the problem that stopped it.
public struct BulkOutcome: Codable, Sendable {
    public var ticketID: String
    public var status: Int
    public var version: Int?
    public var problem: String?
}

public struct BulkResult: Codable, Sendable, ResponseEncodable {
    public var items: [BulkOutcome]
}

/// Bulk actions on up to 100 tickets.
public struct BulkController: Sendable {
    public static let maximumTickets = 100
    let access: TicketRequestAccess
    var store: TicketStore { access.store }

    public init(store: TicketStore) {
        self.access = TicketRequestAccess(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("bulk") { request, context in
            guard let caller = try await access.caller(context, required: true), caller.isAgent else { throw Problem.forbidden("Bulk actions are for agents.") }
            let body = try await request.decodeJSON(BulkRequest.self, context: context)
            guard (1...Self.maximumTickets).contains(body.ticketIDs.count) else {
                throw Problem.unprocessable("Name 1 to \(Self.maximumTickets) tickets.", errors: [.init(field: "ticketIDs", message: "1...\(Self.maximumTickets)")])
            }
            if let missing = body.missingPart {
                throw Problem.unprocessable("This action needs its \(missing).", errors: [.init(field: missing, message: "is required")])
            }
            var transfer: TicketTransfer?
            if let requested = body.transfer { transfer = try await access.allowedTransfer(requested, by: caller) }
            let followUp = try body.followUp.map { try TicketInput.followUp($0, scheduledBy: caller.principal.userID) }
            let agentsShown = try await access.agentsShown(for: followUp)
            var outcomes: [BulkOutcome] = []
            for text in body.ticketIDs {
                do {
                    let id = try TicketInput.uuid(text, field: "ticketIDs")
                    // Each ticket answers as it would alone: 404 unseen, 403 read-only, 409 deleted.
                    let (ticket, _) = try await access.readable(id, caller: caller, for: .change)
                    let changed = try await apply(body, transfer: transfer, followUp: followUp, agentsShown: agentsShown, to: ticket, caller: caller)
                    outcomes.append(BulkOutcome(ticketID: id.lowercased, status: 200, version: changed?.version, problem: nil))
                } catch let problem as Problem {
                    outcomes.append(BulkOutcome(ticketID: text, status: Int(problem.status.code), version: nil, problem: problem.detail ?? problem.title))
                } catch {
                    // The tickets before it are changed already: their outcomes must reach the caller, this one's as a 500.
                    context.logger.error("a bulk action failed on a ticket", metadata: ["ticket": "\(text)", "error": "\(String(reflecting: error))"])
                    let failed = Problem.internalError(requestID: context.requestID)
                    outcomes.append(BulkOutcome(ticketID: text, status: Int(failed.status.code), version: nil, problem: failed.detail ?? failed.title))
                }
            }
            return BulkResult(items: outcomes)
        }
    }

    private func apply(
        _ body: BulkRequest, transfer: TicketTransfer?, followUp: FollowUp?, agentsShown: Bool, to ticket: Ticket, caller: TicketCaller
    ) async throws -> Ticket? {
        let agent = caller.principal.userID
        let id = try TicketController.id(ticket.id)
        switch body.action {
        case .status:
            try Authorization.require(caller.principal, .tickets, "Change Status")
            return try await store.setStatus(id, to: body.status ?? .active, by: agent, expectedVersion: nil)
        case .priority:
            try Authorization.require(caller.principal, .tickets, "Change Priority")
            return try await store.setPriority(id, body.priority ?? .normal, by: agent, expectedVersion: nil)
        case .pin, .unpin:
            try Authorization.require(caller.principal, .tickets, "Pin")
            return try await store.setPinned(id, body.action == .pin, by: agent)
        case .take:
            // Get From Queue: "if the tickets selected are part of the Queue" [S001:2888]; a colleague's ticket is taken one at a time.
            try Authorization.require(caller.principal, .tickets, "Take")
            guard let agentID = UUID(parsing: agent), caller.groups.contains(ticket.groupID) || caller.seesEverything else {
                throw Problem.forbidden("Only members of the ticket's group take it.")
            }
            guard caller.seesQueue else { throw Problem.forbidden("Get From Queue needs View Queue or Access the Queue.") }
            return try await store.take(id, by: agentID, onlyQueued: true)
        case .delete:
            guard Authorization.allows(caller.principal, .tickets, "Delete") || Authorization.allows(caller.principal, .tickets, "Mark as Deleted") else {
                throw Problem.forbidden("Your roles do not allow Delete on Tickets.")
            }
            return try await store.delete(id, by: .agent(agent))
        case .transfer:
            guard let transfer else { return nil }
            return try await store.transfer(id, transfer, by: agent, expectedVersion: nil)
        case .followUp:
            try Authorization.require(caller.principal, .tickets, "Follow-up")
            guard let followUp else { return nil }
            try TicketRequestAccess.requireParts(priority: followUp.priority != nil, pin: followUp.pin, of: caller)
            try TicketRequestAccess.checkMoves(of: followUp, group: ticket.groupID, owner: ticket.agentID, by: caller, agentsShown: agentsShown)
            return try await store.scheduleFollowUp(id, followUp, by: agent, expectedVersion: nil)
        case .removeFollowUp:
            try Authorization.require(caller.principal, .tickets, "Follow-up")
            return try await store.removeFollowUp(id, by: agent)
        }
    }
}
