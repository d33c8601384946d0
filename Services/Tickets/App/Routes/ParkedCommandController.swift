import Auth
import Contracts
import Database
import Foundation
import Hummingbird
import ServiceKit

/// Customers' messages from other services (email, offline chat) that have no department to open their ticket in:
/// `GET /api/v1/tickets/parked-commands` lists them for system administrators, oldest first in pages (`?limit=`, 50
/// by default, and `?cursor=`), and `POST …/parked-commands/{commandID}/place` `{"departmentID"}` opens each as a new
/// ticket in a department tickets knows. One waiting for a department that has not arrived runs by itself when it does; one whose department was
/// deleted with its tickets stays until placed.
public struct ParkedCommandController: Sendable {
    let store: TicketStore
    let handler: TicketCommandHandler

    public init(store: TicketStore) {
        self.store = store
        self.handler = TicketCommandHandler(store: store, logger: store.database.logger)
    }

    /// A kept command as an administrator sees it: what it carries, if it carries a customer's message.
    struct Shown: Codable, Sendable {
        var id: String
        var type: String
        var departmentID: String
        var reason: String
        var parkedAt: Date
        var customerEmail: String?
        var subject: String?
        var source: String?
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("parked-commands") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let page = try PageRequest(request)
            let after = try page.cursor.map { cursor in
                guard cursor.keys.count == 1, let id = Int64(cursor.keys[0]) else { throw Problem.badRequest("The cursor is not one this API issued.") }
                return id
            }
            let shown = try await handler.parked.list(after: after, limit: page.limit + 1).map { command in
                let message = try? command.opening(in: command.departmentID)
                return Shown(
                    id: String(command.id), type: command.type, departmentID: command.departmentID.lowercased, reason: command.reason.rawValue,
                    parkedAt: command.parkedAt, customerEmail: message?.customerEmail, subject: message?.subject, source: message?.source)
            }
            return Page.from(fetched: shown, limit: page.limit) { [$0.id] }
        }
        group.post("parked-commands/{commandID}/place") { request, context in
            struct Body: Decodable { var departmentID: String }
            let administrator = try Authorization.requireSystemAdministrator(context.principal)
            guard let text = context.parameters.get("commandID"), let id = Int64(text), id > 0 else { throw Self.notFound }
            let body = try await request.decodeJSON(Body.self, context: context)
            let department = try TicketInput.uuid(body.departmentID, field: "departmentID")
            guard let ticket = try await handler.place(id, in: department, by: administrator.userID) else {
                throw Self.notFound
            }
            return EditedResponse(status: .created, headers: [.eTag: ticket.etag, .location: "/api/v1/tickets/\(ticket.id)"], response: ticket)
        }
    }

    static var notFound: Problem { Problem.notFound("No such kept command: it was placed, or its department arrived and opened its ticket.") }
}
