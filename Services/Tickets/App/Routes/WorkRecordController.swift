import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension TicketDraft: ResponseEncodable {}
extension TimeLog: ResponseEncodable {}
extension TimeLogCategory: ResponseEncodable {}

/// Drafts (`…/{id}/draft`), time logs (`…/{id}/time-logs`), the console's open views that make automatic time logs
/// (`…/{id}/views`), and time log categories (`/time-log-categories`).
public struct WorkRecordController: Sendable {
    let access: TicketRequestAccess
    var store: TicketStore { access.store }

    public init(store: TicketStore) {
        self.access = TicketRequestAccess(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.put("{id}/draft") { request, context in
            struct Body: Decodable { var bodyHTML: String; var to: [String]?; var cc: [String]?; var bcc: [String]? }
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Reply")
            let body = try await request.decodeJSON(Body.self, context: context)
            guard body.bodyHTML.count <= TicketInput.maximumBody else {
                throw Problem.unprocessable("A draft holds at most \(TicketInput.maximumBody) characters.", errors: [.init(field: "bodyHTML", message: "too long")])
            }
            let draft = TicketDraft(
                ticketID: ticket.id, agentID: caller.principal.userID, bodyHTML: SafeHTML.sanitize(body.bodyHTML),
                to: try (body.to ?? []).map { try TicketInput.email($0, field: "to") }, cc: try (body.cc ?? []).map { try TicketInput.email($0, field: "cc") },
                bcc: try (body.bcc ?? []).map { try TicketInput.email($0, field: "bcc") }, updatedAt: Date())
            try await store.saveDraft(draft)
            return draft
        }
        group.get("{id}/draft") { _, context in
            let (ticket, caller) = try await access.readable(context, for: .read)
            try Authorization.require(caller.principal, .tickets, "Reply")
            guard let draft = try await store.draft(of: try TicketController.id(ticket.id)) else { throw Problem.notFound("The ticket has no draft.") }
            return draft
        }
        group.delete("{id}/draft") { _, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Reply")
            guard try await store.deleteDraft(of: try TicketController.id(ticket.id)) else { throw Problem.notFound("The ticket has no draft.") }
            return Response(status: .noContent)
        }
        group.post("{id}/time-logs") { request, context in
            struct Body: Decodable { var minutes: Int; var categoryID: String?; var description: String?; var billable: Bool? }
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Add Time Log")
            let body = try await request.decodeJSON(Body.self, context: context)
            guard (1...24 * 60).contains(body.minutes) else {
                throw Problem.unprocessable("A time log has 1 to 1440 minutes.", errors: [.init(field: "minutes", message: "1...1440")])
            }
            let log = try await store.logTime(
                try TicketController.id(ticket.id), minutes: body.minutes, categoryID: try body.categoryID.map { try TicketInput.uuid($0, field: "categoryID") },
                description: String((body.description ?? "").prefix(2_000)), billable: body.billable, by: caller.principal.userID)
            return EditedResponse(status: .created, response: log)
        }
        group.post("{id}/views") { _, context in
            let (ticket, caller) = try await access.readable(context)
            guard !caller.readsAsCustomer(ticket), let agent = UUID(uuidString: caller.principal.userID) else { throw Problem.notFound("No such ticket.") }
            return EditedResponse(status: .created, response: try await store.openView(of: try TicketController.id(ticket.id), by: agent))
        }
        group.delete("{id}/views/{viewID}") { _, context in
            let (ticket, caller) = try await access.readable(context)
            guard !caller.readsAsCustomer(ticket), let agent = UUID(uuidString: caller.principal.userID) else { throw Problem.notFound("No such ticket.") }
            let view = try context.uuidParameter("viewID", notFound: "No such open view.")
            return ClosedView(timeLog: try await store.closeView(view, of: try TicketController.id(ticket.id), by: agent))
        }
        group.get("{id}/time-logs") { _, context in
            let (ticket, caller) = try await access.readable(context, for: .read)
            guard !caller.readsAsCustomer(ticket) else { throw Problem.notFound("No such ticket.") }
            return Items(items: try await store.timeLogs(of: try TicketController.id(ticket.id)))
        }
        group.get("time-log-categories") { _, context in
            _ = try Authorization.requireSignedIn(context.principal)
            return Items(items: try await store.categories())
        }
        group.post("time-log-categories") { request, context in
            struct Body: Decodable { var name: String }
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let name = try await request.decodeJSON(Body.self, context: context).name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...100).contains(name.count) else {
                throw Problem.unprocessable("A category name has 1 to 100 characters.", errors: [.init(field: "name", message: "1...100 characters")])
            }
            let category = TimeLogCategory(id: UUIDv7.generate().uuidString.lowercased(), name: name)
            try await store.createCategory(category)
            return EditedResponse(status: .created, response: category)
        }
    }
}

/// The answer to closing a ticket view: the automatic time log it made, if one was due.
struct ClosedView: ResponseEncodable {
    var timeLog: TimeLog?
}

extension TicketStore.OpenTicketView: ResponseEncodable {}
