import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension Role: ResponseEncodable {}

/// Roles under `/api/v1/identity/roles` and role assignment under `/api/v1/identity/users/{id}/roles`
/// (system administrator).
public struct RoleController: Sendable {
    let roles: RoleRepository
    let users: UserRepository

    public init(roles: RoleRepository, users: UserRepository) {
        self.roles = roles
        self.users = users
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("roles") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let type = try request.uri.queryParameters["type"].map { text -> RoleType in
                guard let type = RoleType(rawValue: String(text)) else { throw Problem.badRequest("type is employee or user.") }
                return type
            }
            return Items(items: try await roles.all().filter { type == nil || $0.type == type })
        }
        group.get("roles/{id}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let found = try await role(context)
            return EditedResponse(headers: [.eTag: IfMatch.etag(found.version)], response: found)
        }
        group.post("roles") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let body = try await request.decodeJSON(CreateRoleRequest.self, context: context)
            let definition = RoleDefinition(name: try RoleRules.validateName(body.name), type: body.type, grants: body.grants)
            try definition.validate()
            return EditedResponse(status: .created, response: try await roles.create(name: definition.name, type: body.type, grants: body.grants))
        }
        group.patch("roles/{id}") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            var current = try await role(context)
            let expected = try IfMatch.version(request)
            if let expected, expected != current.version {
                throw Problem.preconditionFailed("The role changed since version \(expected); it is at version \(current.version).")
            }
            let body = try await request.decodeJSON(UpdateRoleRequest.self, context: context)
            if let name = body.name {
                let validated = try RoleRules.validateName(name)
                guard !current.isPredefined || validated == current.name else {
                    throw Problem.conflict("Predefined roles keep their names.")
                }
                current.name = validated
            }
            current.grants.merge(body.grants ?? [:]) { _, new in new }
            try current.definition.validate()
            let updated = try await roles.update(current, ifMatched: expected != nil)
            return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
        }
        group.delete("roles/{id}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            try await roles.delete(try await role(context))
            return Response(status: .noContent)
        }
        group.put("users/{id}/roles") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard let text = context.parameters.get("id"), let userID = UUID(parsing: text), try await users.exists(userID) else {
                throw Problem.notFound("No such user.")
            }
            let body = try await request.decodeJSON(AssignRolesRequest.self, context: context)
            let names = try RoleRules.validateAssignment(body.roles, known: try await roles.all().map(\.name))
            try await roles.assign(names, to: userID)
            return Response(status: .noContent)
        }
    }

    private func role(_ context: ServiceRequestContext) async throws -> Role {
        guard let text = context.parameters.get("id"), let id = UUID(parsing: text), let role = try await roles.find(id) else {
            throw Problem.notFound("No such role.")
        }
        return role
    }
}
