import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension CustomFieldDefinition: ResponseEncodable {}
extension TicketTemplate: ResponseEncodable {}

/// `POST /api/v1/tickets/templates` body.
public struct NewTemplate: Decodable, Sendable {
    public var name: String
    public var fields: [TicketTemplate.Field]
}

/// Data custom fields and templates (system administrator), and each ticket's values (agents).
public struct CustomFieldController: Sendable {
    let access: TicketRequestAccess
    var store: TicketStore { access.store }

    public init(store: TicketStore) {
        self.access = TicketRequestAccess(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("custom-fields") { _, context in
            _ = try Authorization.requireSignedIn(context.principal)
            return Items(items: try await store.fieldDefinitions())
        }
        group.post("custom-fields") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            struct Body: Decodable { var name: String; var dataType: CustomFieldType; var options: [String]?; var defaultValue: String? }
            let body = try await request.decodeJSON(Body.self, context: context)
            let field = CustomFieldDefinition(
                id: UUIDv7.generate().uuidString.lowercased(), name: body.name.trimmingCharacters(in: .whitespacesAndNewlines), dataType: body.dataType,
                options: body.options ?? [], defaultValue: body.defaultValue)
            try CustomFieldRules.validate(field)
            try await store.createField(field)
            return EditedResponse(status: .created, response: field)
        }
        group.post("templates") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let body = try await request.decodeJSON(NewTemplate.self, context: context)
            let known = Set(try await store.fieldDefinitions().map(\.id))
            let unknown = body.fields.map { $0.fieldID.lowercased() }.filter { !known.contains($0) }
            guard unknown.isEmpty, (1...100).contains(body.name.count) else {
                throw Problem.unprocessable(
                    "A template needs a name and known fields.",
                    errors: unknown.map { .init(field: "fields", message: "unknown field \($0)") } + (body.name.isEmpty ? [.init(field: "name", message: "is required")] : []))
            }
            let template = TicketTemplate(
                id: UUIDv7.generate().uuidString.lowercased(), name: body.name,
                fields: body.fields.map { var field = $0; field.fieldID = field.fieldID.lowercased(); return field })
            try await store.createTemplate(template)
            return EditedResponse(status: .created, response: template)
        }
        group.get("{id}/custom-fields") { _, context in
            let (ticket, caller) = try await access.readable(context, for: .read)
            let id = try TicketController.id(ticket.id)
            guard caller.readsAsCustomer(ticket) else { return try await store.fieldValues(of: id) }
            return try await store.customerFieldValues(of: id, department: try TicketController.id(ticket.departmentID))
        }
        group.put("{id}/custom-fields") { request, context in
            let (ticket, caller) = try await access.readable(context)
            try Authorization.require(caller.principal, .tickets, "Reply")
            let values = try await request.decodeJSON([String: String].self, context: context)
            return try await store.setFieldValues(try TicketController.id(ticket.id), values, by: caller.principal.userID)
        }
    }
}
