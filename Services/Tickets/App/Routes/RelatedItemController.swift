import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// `…/{id}/related`: the ticket's Related Items tab (agents who can read the ticket): what is linked, with the ticket's
/// time logs and files. A link changes both tickets, so a related ticket must be one they may change; a related task
/// one they may already see (a link would otherwise open it to them).
public struct RelatedItemController: Sendable {
    let access: TicketRequestAccess
    let tasks: TaskController
    var store: TicketStore { access.store }

    public init(store: TicketStore) {
        self.access = TicketRequestAccess(store: store)
        self.tasks = TaskController(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("{id}/related") { _, context in
            let (ticket, caller) = try await access.readable(context, for: .read)
            guard caller.isAgent, !caller.readsAsCustomer(ticket) else { throw Problem.forbidden("Related items are for agents.") }
            let id = try TicketController.id(ticket.id)
            let linked = try await summarized(try await store.relatedItems(of: id), for: caller)
            return Items(items: RelatedItem.tab(
                linked: linked, timeLogs: try await store.timeLogs(of: id), files: try await store.attachments(of: id, includingInternal: true)))
        }
        group.post("{id}/related") { request, context in
            let (ticket, caller) = try await access.readable(context)
            guard caller.isAgent else { throw Problem.forbidden("Related items are for agents.") }
            let body = try await request.decodeJSON(RelatedItemRequest.self, context: context)
            let (kind, item) = try await checkedLink(body, from: ticket.id, by: caller)
            let updated = try await store.addRelated(
                kind, item, to: try TicketController.id(ticket.id), by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(status: .created, headers: [.eTag: updated.etag], response: updated)
        }
        group.delete("{id}/related/{kind}/{itemID}") { request, context in
            let (ticket, caller) = try await access.readable(context)
            guard caller.isAgent else { throw Problem.forbidden("Related items are for agents.") }
            // Removing a link is managing related items, as adding one is.
            try Authorization.require(caller.principal, .tickets, "Add Related Item")
            let (kind, item) = try Self.item(kind: context.parameters.get("kind") ?? "", id: context.parameters.get("itemID") ?? "")
            // Unlinking changes the other ticket too.
            if kind == .ticket, let other = try await store.find(item), !caller.canChange(other) || caller.readsAsCustomer(other) {
                throw Problem.forbidden("You may not change the related ticket.")
            }
            let updated = try await store.removeRelated(
                kind, item, from: try TicketController.id(ticket.id), by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: updated)
        }
    }

    /// A link the agent may make from the ticket `ticketID` (nil: one they are creating): Add Related Item (403
    /// otherwise); a kind and id that parse, a ticket other than this one that they may see (422) and change (403), a
    /// task they may already see (422).
    func checkedLink(_ body: RelatedItemRequest, from ticketID: String?, by caller: TicketCaller) async throws -> (RelatedItemKind, UUID) {
        try Authorization.require(caller.principal, .tickets, "Add Related Item")
        let (kind, item) = try Self.item(kind: body.kind, id: body.itemID)
        if kind == .ticket {
            guard item.lowercased != ticketID else {
                throw Problem.unprocessable("A ticket is not related to itself.", errors: [.init(field: "itemID", message: "is this ticket")])
            }
            guard let other = try await store.find(item), caller.canRead(other), !caller.readsAsCustomer(other) else {
                throw Problem.unprocessable("There is no ticket \(body.itemID) you can see.", errors: [.init(field: "itemID", message: "unknown ticket")])
            }
            guard caller.canChange(other) else { throw Problem.forbidden("You may view ticket \(body.itemID), not change it.") }
        }
        if kind == .task, try await !tasks.mayRead(item, by: caller) {
            throw Problem.unprocessable("There is no task \(body.itemID) you can see.", errors: [.init(field: "itemID", message: "unknown task")])
        }
        return (kind, item)
    }

    /// Each related ticket and task with what the tab shows of it, when the caller may read it.
    private func summarized(_ items: [RelatedItem], for caller: TicketCaller) async throws -> [RelatedItem] {
        var shown: [RelatedItem] = []
        for var item in items {
            switch item.kind {
            case .ticket:
                if let id = UUID(parsing: item.itemID), let other = try await store.find(id), caller.canRead(other), !caller.readsAsCustomer(other) {
                    item.summary = .init(number: other.number, subject: other.subject, status: other.status.rawValue)
                }
            case .task:
                if let id = UUID(parsing: item.itemID), let task = try await tasks.readableTask(id, by: caller) {
                    item.summary = .init(number: nil, subject: task.subject, status: task.status.rawValue)
                }
            case .chat, .callLog, .timeLog, .file:
                break
            }
            shown.append(item)
        }
        return shown
    }

    static func item(kind: String, id: String) throws -> (RelatedItemKind, UUID) {
        var errors: [Problem.FieldError] = []
        let parsedKind = RelatedItemKind(rawValue: kind).flatMap { $0.isLinked ? $0 : nil }
        if parsedKind == nil {
            errors.append(.init(field: "kind", message: "ticket, chat, call_log or task (time logs and files are attached through their own routes)"))
        }
        let parsedID = UUID(parsing: id)
        if parsedID == nil { errors.append(.init(field: "itemID", message: "must be an id")) }
        try Problem.throwIfInvalid(errors)
        guard let parsedKind, let parsedID else { throw Problem.badRequest("kind and itemID are required.") }
        return (parsedKind, parsedID)
    }
}
