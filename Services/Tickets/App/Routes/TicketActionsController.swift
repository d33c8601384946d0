import Auth
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

extension FollowUpState: ResponseEncodable {}

/// `POST /api/v1/tickets/merge` body.
public struct MergeRequest: Decodable, Sendable {
    public var primaryID: String
    public var ticketIDs: [String]
}

/// `POST /api/v1/tickets/rebalance` answer: how many tickets changed hands.
public struct RebalanceResult: Codable, Sendable, ResponseEncodable {
    public var moved: Int
}

/// Follow-ups, priority, subject, email address, pin, deletion, merge, rebalancing and lookup by number under `/api/v1/tickets`.
public struct TicketActionsController: Sendable {
    let access: TicketRequestAccess
    var store: TicketStore { access.store }

    public init(store: TicketStore) {
        self.access = TicketRequestAccess(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("by-number/{number}") { _, context in
            guard let caller = try await access.caller(context, required: true), let number = context.parameters.get("number") else {
                throw Problem.notFound("No such ticket.")
            }
            // A number opens what its ticket's id opens: a deleted ticket too, read-only until it is purged (read again by
            // its id, with who deleted it and when).
            let (ticket, reader) = if let numbered = try await store.find(number: number) {
                try await access.readable(numbered, caller: caller, for: .read)
            } else if let deleted = try await store.find(number: number, deleted: true), let id = UUID(parsing: deleted.id) {
                try await access.readable(id, caller: caller, for: .read)
            } else {
                throw Problem.notFound("No such ticket.")
            }
            return EditedResponse(headers: [.eTag: ticket.etag], response: reader.shown(ticket))
        }
        group.put("{id}/follow-up") { request, context in
            let (ticket, caller) = try await access.readable(context)
            let followUp = try await access.allowedFollowUp(
                try await request.decodeJSON(FollowUpRequest.self, context: context), by: caller, group: ticket.groupID, owner: ticket.agentID)
            let updated = try await store.scheduleFollowUp(
                try TicketController.id(ticket.id), followUp, by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: updated)
        }
        group.get("{id}/follow-up") { _, context in
            let (ticket, _) = try await access.readable(context, for: .agentRead)
            guard ticket.followUp == nil else { return FollowUpState(followUp: ticket.followUp, previous: nil) }
            return FollowUpState(followUp: nil, previous: try await store.previousFollowUp(try TicketController.id(ticket.id)))
        }
        group.delete("{id}/follow-up") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Follow-up")
            let updated = try await store.removeFollowUp(
                try TicketController.id(ticket.id), by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: updated)
        }
        group.put("{id}/priority") { request, context in
            struct Body: Decodable { var priority: TicketPriority }
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Change Priority")
            let body = try await request.decodeJSON(Body.self, context: context)
            let updated = try await store.setPriority(
                try TicketController.id(ticket.id), body.priority, by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: updated)
        }
        for (path, permission) in TicketDetail.routes {
            group.put("{id}/\(path)") { request, context in
                struct Body: Decodable { var subject: String?, email: String? }
                let (ticket, caller) = try await access.readable(context)
                try Authorization.require(caller.principal, .tickets, permission)
                let body = try await request.decodeJSON(Body.self, context: context)
                let detail: TicketDetail = path == "subject"
                    ? .subject(try TicketInput.subject(body.subject ?? "")) : .email(try TicketInput.email(body.email, field: "email"))
                let updated = try await store.change(
                    try TicketController.id(ticket.id), detail, by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
                return EditedResponse(headers: [.eTag: updated.etag], response: updated)
            }
        }
        group.put("{id}/pin") { request, context in
            struct Body: Decodable { var pinned: Bool }
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Pin")
            let body = try await request.decodeJSON(Body.self, context: context)
            let updated = try await store.setPinned(
                try TicketController.id(ticket.id), body.pinned, by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: updated)
        }
        group.delete("{id}") { request, context in
            let (ticket, caller) = try await access.readable(context)
            guard Authorization.allows(caller.principal, .tickets, "Delete") || Authorization.allows(caller.principal, .tickets, "Mark as Deleted") else {
                throw Problem.forbidden("Your roles do not allow Delete on Tickets.")
            }
            _ = try await store.delete(
                try TicketController.id(ticket.id), by: .agent(caller.principal.userID), expectedVersion: try IfMatch.version(request))
            return Response(status: .noContent)
        }
        group.post("rebalance") { request, context in
            struct Body: Decodable { var groupID: String }
            guard let caller = try await access.caller(context, required: true) else { throw Problem.unauthorized("Sign in first.") }
            let body = try await request.decodeJSON(Body.self, context: context)
            let groupID = try TicketInput.uuid(body.groupID, field: "groupID")
            guard caller.seesEverything || (caller.principal.scope == .memberDepartments && caller.groups.contains(groupID.lowercased)) else {
                throw Problem.forbidden("Managers of the group and administrators rebalance it.")
            }
            guard try await store.departmentOfGroup(groupID) != nil else {
                throw Problem.unprocessable("There is no group \(groupID.lowercased).", errors: [.init(field: "groupID", message: "unknown group")])
            }
            return RebalanceResult(moved: try await store.rebalance(group: groupID, by: .agent(caller.principal.userID)))
        }
        group.post("merge") { request, context in
            guard let caller = try await access.caller(context, required: true) else { throw Problem.unauthorized("Sign in first.") }
            try Authorization.require(caller.principal, .tickets, "Merge")
            let body = try await request.decodeJSON(MergeRequest.self, context: context)
            let primary = try TicketInput.uuid(body.primaryID, field: "primaryID")
            let others = try Set(body.ticketIDs.map { try TicketInput.uuid($0, field: "ticketIDs") }).subtracting([primary])
            guard (1...(TicketStore.maximumMerged - 1)).contains(others.count) else {
                throw Problem.unprocessable(
                    "Merge 2 to \(TicketStore.maximumMerged) tickets, the primary included.",
                    errors: [.init(field: "ticketIDs", message: "1...\(TicketStore.maximumMerged - 1) other tickets")])
            }
            for id in [primary] + Array(others) {
                // A deleted ticket the caller could read is a 409, as anything done to it is.
                guard let ticket = try await store.find(id) else { _ = try await access.readable(id, caller: caller, for: .change); continue }
                guard caller.canChange(ticket), !caller.readsAsCustomer(ticket) else { throw Problem.notFound("No such ticket \(id.lowercased).") }
            }
            // If-Match names the primary's version: the ticket the agent chose and keeps.
            let merged = try await store.merge(
                primary: primary, others: Array(others), by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: merged.etag], response: merged)
        }
    }
}
