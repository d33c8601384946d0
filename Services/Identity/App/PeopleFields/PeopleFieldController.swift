import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension PeopleField: ResponseEncodable {}

/// People custom field definitions under `/api/v1/identity/people-fields`: read by anyone who reads users,
/// defined by a system administrator.
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
            let body = try await request.decodeJSON(NewPeopleField.self, context: context)
            let field = PeopleField(
                id: UUIDv7.generate().uuidString.lowercased(), name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
                dataType: body.dataType, options: body.options ?? [], defaultValue: body.defaultValue)
            try CustomFieldRules.validate(field)
            try await fields.create(field)
            return EditedResponse(status: .created, response: field)
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
