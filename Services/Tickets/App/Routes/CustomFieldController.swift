import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension CustomFieldDefinition: ResponseEncodable {}
extension TicketTemplate: ResponseEncodable {}
extension TicketForm: ResponseEncodable {}

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
            _ = try Authorization.requireEmployee(context.principal, for: "Field definitions (a customer's form is GET /api/v1/tickets/departments/{departmentID}/form)")
            return Items(items: try await store.fieldDefinitions())
        }
        group.post("custom-fields") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let field = try CustomFieldRules.definition(
                try await request.decodeJSON(CustomFieldBody.self, context: context), id: UUIDv7.generate().uuidString.lowercased())
            try await store.createField(field)
            return EditedResponse(status: .created, response: field)
        }
        group.put("custom-fields/{fieldID}") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let id = try Self.id(context, "fieldID")
            guard let existing = try await store.fieldDefinitions().first(where: { $0.id == id.lowercased }) else { throw Problem.notFound("No such custom field.") }
            let field = try CustomFieldRules.edit(existing, with: try await request.decodeJSON(CustomFieldBody.self, context: context))
            guard try await store.updateField(field) else { throw Problem.notFound("No such custom field.") }
            return field
        }
        group.get("departments/{departmentID}/form") { _, context in
            let caller = try await access.caller(context, required: false)
            let agent = caller?.isAgent == true
            guard let found = try await store.form(ofDepartment: try Self.id(context, "departmentID"), for: agent ? .agents : .users),
                agent || TicketController.offeredOnPortal(found.department, brandID: context.brandID)
            else { throw Problem.notFound("No such department.") }
            var form = found.form
            if !agent { form.portal?.privacyPolicyURL = try await store.portalSettings(brand: found.department.brandID).privacyPolicyURL }
            return form
        }
        group.get("templates") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            return Items(items: try await store.templates())
        }
        group.get("templates/{templateID}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let id = try Self.id(context, "templateID").lowercased
            guard let template = try await store.templates().first(where: { $0.id == id }) else { throw Problem.notFound("No such template.") }
            return template
        }
        group.post("templates") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let template = try await validated(try await request.decodeJSON(NewTemplate.self, context: context), id: UUIDv7.generate().uuidString.lowercased())
            try await store.createTemplate(template)
            return EditedResponse(status: .created, response: template)
        }
        group.put("templates/{templateID}") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let id = try Self.id(context, "templateID").lowercased
            let template = try await validated(try await request.decodeJSON(NewTemplate.self, context: context), id: id)
            guard let updated = try await store.updateTemplate(template) else { throw Problem.notFound("No such template.") }
            return updated
        }
        let deletions: [(parameter: String, path: String, what: String, delete: @Sendable (UUID) async throws -> Bool)] = [
            ("fieldID", "custom-fields", "custom field", { try await store.deleteField($0) }),
            ("templateID", "templates", "template", { try await store.deleteTemplate($0) }),
        ]
        for deletion in deletions {
            group.delete("\(deletion.path)/{\(deletion.parameter)}") { _, context in
                _ = try Authorization.requireSystemAdministrator(context.principal)
                guard try await deletion.delete(try Self.id(context, deletion.parameter)) else { throw Problem.notFound("No such \(deletion.what).") }
                return Response(status: .noContent)
            }
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
            let (updated, stored) = try await store.setFieldValues(
                try TicketController.id(ticket.id), values, by: caller.principal.userID, expectedVersion: try IfMatch.version(request))
            return EditedResponse(headers: [.eTag: updated.etag], response: stored)
        }
    }

    /// A template of known fields with a name of 1 to 100 characters, each field's display name one line of at most
    /// 100, whose fields do not contradict each other (``TicketTemplate/contradictions``).
    func validated(_ body: NewTemplate, id: String) async throws -> TicketTemplate {
        let known = Set(try await store.fieldDefinitions().map(\.id))
        var errors: [Problem.FieldError] = body.fields.map { $0.fieldID.lowercased() }.filter { !known.contains($0) }.map {
            .init(field: "fields", message: "unknown field \($0)")
        }
        if !(1...100).contains(body.name.unicodeScalars.count) { errors.append(.init(field: "name", message: "1...100 characters")) }
        for (index, field) in body.fields.enumerated() {
            guard let name = field.displayName else { continue }
            if !(1...100).contains(name.unicodeScalars.count) || name.unicodeScalars.contains(where: OneLineText.isUnshowable) {
                errors.append(.init(field: "fields[\(index)].displayName", message: "one line of 1...100 characters"))
            }
        }
        guard errors.isEmpty else { throw Problem.unprocessable("A template needs a name of 1 to 100 characters and known fields.", errors: errors) }
        let template = TicketTemplate(id: id, name: body.name, fields: body.fields.map { var field = $0; field.fieldID = field.fieldID.lowercased(); return field })
        let contradictions = template.contradictions
        guard contradictions.isEmpty else { throw Problem.unprocessable("The template's fields contradict each other.", errors: contradictions) }
        return template
    }

    static func id(_ context: ServiceRequestContext, _ name: String) throws -> UUID {
        guard let raw = context.parameters.get(name), let id = UUID(parsing: raw) else { throw Problem.notFound("No such item.") }
        return id
    }
}
