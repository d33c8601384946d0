import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension PeopleField: ResponseEncodable {}

/// People custom field definitions under `/api/v1/identity/people-fields`: read by anyone who reads users,
/// defined, edited and removed by a system administrator.
public struct PeopleFieldController: Sendable {
    let fields: PeopleFieldRepository

    public init(fields: PeopleFieldRepository) {
        self.fields = fields
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("people-fields") { _, context in
            try Authorization.require(context.principal, .usersOrganizations, FeatureCatalog.view)
            return Items(items: try await fields.all())
        }
        group.post("people-fields") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let field = try CustomFieldRules.definition(
                try await request.decodeJSON(CustomFieldBody.self, context: context), id: UUIDv7.generate().uuidString.lowercased())
            try await fields.create(field)
            return EditedResponse(status: .created, response: field)
        }
        // Edit [S001:6883-6891] (``CustomFieldRules/edit(_:with:)``); users' values stay as they were written.
        group.put("people-fields/{id}") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard let text = context.parameters.get("id"), let id = UUID(parsing: text),
                let existing = try await fields.all().first(where: { $0.id == id.uuidString.lowercased() })
            else { throw Problem.notFound("No such people field.") }
            let field = try CustomFieldRules.edit(existing, with: try await request.decodeJSON(CustomFieldBody.self, context: context))
            guard try await fields.update(field) else { throw Problem.notFound("No such people field.") }
            return field
        }
        group.delete("people-fields/{id}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard let text = context.parameters.get("id"), let id = UUID(parsing: text), try await fields.delete(id) else {
                throw Problem.notFound("No such people field.")
            }
            return Response(status: .noContent)
        }
    }
}
