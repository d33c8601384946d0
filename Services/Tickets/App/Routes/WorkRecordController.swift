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
            struct Body: Decodable {
                var bodyHTML: String
                var to: [String]?
                var cc: [String]?
                var bcc: [String]?
                var subject: String?
                var attachmentIDs: [String]?
            }
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Reply")
            let body = try await request.decodeJSON(Body.self, context: context)
            guard body.bodyHTML.count <= TicketInput.maximumBody else {
                throw Problem.unprocessable("A draft holds at most \(TicketInput.maximumBody) characters.", errors: [.init(field: "bodyHTML", message: "too long")])
            }
            let draft = TicketDraft(
                ticketID: ticket.id, agentID: caller.principal.userID, bodyHTML: SafeHTML.sanitize(body.bodyHTML),
                to: try TicketInput.emails(body.to, field: "to"), cc: try TicketInput.emails(body.cc, field: "cc"),
                bcc: try TicketInput.emails(body.bcc, field: "bcc"), updatedAt: Date(),
                subject: try body.subject.map(TicketInput.subject),
                attachmentIDs: try (body.attachmentIDs ?? []).map { try TicketInput.uuid($0, field: "attachmentIDs").lowercased })
            let saved = try await store.saveDraft(draft, expectedVersion: try IfMatch.version(request))
            return EditedResponse(status: .ok, headers: [.eTag: IfMatch.etag(saved.version)], response: saved)
        }
        group.get("{id}/draft") { _, context in
            let (ticket, caller) = try await access.readable(context, for: .agentRead)
            try Authorization.require(caller.principal, .tickets, "Reply")
            guard let draft = try await store.draft(of: try TicketController.id(ticket.id)) else { throw Problem.notFound("The ticket has no draft.") }
            return EditedResponse(status: .ok, headers: [.eTag: IfMatch.etag(draft.version)], response: draft)
        }
        group.delete("{id}/draft") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Reply")
            let id = try TicketController.id(ticket.id)
            guard try await store.deleteDraft(of: id, expectedVersion: try IfMatch.version(request)) else { throw Problem.notFound("The ticket has no draft.") }
            return Response(status: .noContent)
        }
        group.post("{id}/time-logs") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Add Time Log")
            let body = try await request.decodeJSON(TimeLogRequest.self, context: context)
            let checked = try TimeLogRules.checked(minutes: body.minutes, subject: body.subject ?? "", description: body.description ?? "")
            let (updated, log) = try await store.logTime(
                try TicketController.id(ticket.id), minutes: checked.minutes, categoryID: try body.categoryID.map { try TicketInput.uuid($0, field: "categoryID") },
                description: checked.description, subject: checked.subject, billable: body.billable, by: caller.principal.userID,
                expectedVersion: try IfMatch.version(request))
            return EditedResponse(status: .created, headers: [.eTag: updated.etag], response: log)
        }
        group.patch("{id}/time-logs/{logID}") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Add Time Log")
            let logID = try context.uuidParameter("logID", notFound: "The ticket has no such time log.")
            let edit = try await request.decodeJSON(TimeLogEdit.self, context: context)
            let category = try edit.categoryID.map { try TicketInput.uuid($0, field: "categoryID") }
            let (updated, log) = try await store.editTimeLog(
                try TicketController.id(ticket.id), log: logID, edit, category: category, by: caller.principal.userID,
                expectedVersion: try IfMatch.version(request)
            ) { log, current in
                TimeLogRules.mayChange(log, of: current, caller: caller)
            }
            return EditedResponse(headers: [.eTag: updated.etag], response: log)
        }
        group.delete("{id}/time-logs/{logID}") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Add Time Log")
            let logID = try context.uuidParameter("logID", notFound: "The ticket has no such time log.")
            let updated = try await store.deleteTimeLog(
                try TicketController.id(ticket.id), log: logID, by: caller.principal.userID, expectedVersion: try IfMatch.version(request)
            ) { log, current in
                TimeLogRules.mayChange(log, of: current, caller: caller)
            }
            return Response(status: .noContent, headers: [.eTag: updated.etag])
        }
        group.post("{id}/views") { _, context in
            let (ticket, caller) = try await access.readable(context)
            guard !caller.readsAsCustomer(ticket), let agent = UUID(parsing: caller.principal.userID) else { throw Problem.notFound("No such ticket.") }
            return EditedResponse(status: .created, response: try await store.openView(of: try TicketController.id(ticket.id), by: agent))
        }
        group.delete("{id}/views/{viewID}") { _, context in
            let (ticket, caller) = try await access.readable(context)
            guard !caller.readsAsCustomer(ticket), let agent = UUID(parsing: caller.principal.userID) else { throw Problem.notFound("No such ticket.") }
            let view = try context.uuidParameter("viewID", notFound: "No such open view.")
            return ClosedView(timeLog: try await store.closeView(view, of: try TicketController.id(ticket.id), by: agent))
        }
        group.get("{id}/time-logs") { _, context in
            let (ticket, _) = try await access.readable(context, for: .agentRead)
            return Items(items: try await store.timeLogs(of: try TicketController.id(ticket.id)))
        }
        group.get("time-log-categories") { request, context in
            _ = try Authorization.requireSignedIn(context.principal)
            let include = request.uri.queryParameters["include"]
            guard include == nil || include == "retired" else { throw Problem.badRequest("include is retired (the retired categories too) or absent.") }
            return Items(items: try await store.categories(includingRetired: include == "retired"))
        }
        group.post("time-log-categories") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let category = TimeLogCategory(id: UUIDv7.generate().uuidString.lowercased(), name: try await Self.categoryName(request, context: context))
            try await store.createCategory(category)
            return EditedResponse(status: .created, response: category)
        }
        group.put("time-log-categories/{categoryID}") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let id = try context.uuidParameter("categoryID", notFound: "No such time log category.")
            let category = TimeLogCategory(id: id.lowercased, name: try await Self.categoryName(request, context: context))
            try await store.renameCategory(category)
            return category
        }
        group.delete("time-log-categories/{categoryID}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            try await store.deleteCategory(try context.uuidParameter("categoryID", notFound: "No such time log category."))
            return Response(status: .noContent)
        }
    }
}

extension WorkRecordController {
    /// A Time Log Category's name from the body: trimmed, 1 to 100 characters (422 otherwise).
    static func categoryName(_ request: Request, context: ServiceRequestContext) async throws -> String {
        struct Body: Decodable { var name: String }
        let name = try await request.decodeJSON(Body.self, context: context).name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.unicodeScalars.count), !name.unicodeScalars.contains(where: OneLineText.isUnshowable) else {
            throw Problem.unprocessable("A category name is one line of 1 to 100 characters.", errors: [.init(field: "name", message: "1...100 characters, one line")])
        }
        return name
    }
}

/// The answer to closing a ticket view: the automatic time log it made, if one was due.
struct ClosedView: ResponseEncodable {
    var timeLog: TimeLog?
}

extension TicketStore.OpenTicketView: ResponseEncodable {}
