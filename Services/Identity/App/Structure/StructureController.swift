import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension Department: ResponseEncodable {}
extension Group: ResponseEncodable {}
extension Membership: ResponseEncodable {}
extension AgentStatusChanged: ResponseEncodable {}
extension AgentAvailabilityChanged: ResponseEncodable {}

/// Agent–group relationships and agent status under `/api/v1/identity`.
public struct StructureController: Sendable {
    let structure: StructureRepository
    let brands: BrandRepository
    let users: UserRepository
    let roles: RoleRepository

    public init(structure: StructureRepository, brands: BrandRepository, users: UserRepository) {
        self.structure = structure
        self.brands = brands
        self.users = users
        self.roles = RoleRepository(database: structure.database)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.put("groups/{id}/members/{userID}", use: setMembership)
        group.delete("groups/{id}/members/{userID}", use: removeMembership)
        group.get("groups/{id}/members", use: listMembers)
        group.post("me/activity") { _, context in
            let principal = try Authorization.requireSignedIn(context.principal)
            guard let user = UUID(parsing: principal.userID) else { throw Problem.unauthorized("Sign in again.") }
            try await structure.recordActivity(user)
            return Response(status: .noContent)
        }
        group.get("agents/{id}/status", use: status)
        group.put("agents/{id}/status", use: changeStatus)
        group.put("agents/{id}/availability", use: changeAvailability)
    }

    func caller(_ context: ServiceRequestContext) async throws -> StructureCaller {
        try await StructureCaller.load(context, structure: structure)
    }

    @Sendable func setMembership(_ request: Request, context: ServiceRequestContext) async throws -> Membership {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        let group = try await group(context)
        let userID = try Self.id(context, "userID")
        guard try await users.exists(userID) else { throw Problem.notFound("No such user.") }
        let body = try await request.decodeJSON(MembershipRequest.self, context: context)
        var errors: [Problem.FieldError] = []
        if let max = body.maxTickets, !(0...10_000).contains(max) {
            errors.append(.init(field: "maxTickets", message: "0...10000"))
        }
        if let minutes = body.autoInactiveMinutes, !(1...10_080).contains(minutes) {
            errors.append(.init(field: "autoInactiveMinutes", message: "1...10080 (a week)"))
        }
        guard errors.isEmpty else { throw Problem.unprocessable("The membership's settings are out of range.", errors: errors) }
        return try await structure.setMembership(group: group, userID: userID, request: body)
    }

    @Sendable func removeMembership(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        let group = try await group(context)
        guard try await structure.removeMembership(group: group, userID: try Self.id(context, "userID")) else {
            throw Problem.notFound("The agent is not a member of this group.")
        }
        return Response(status: .noContent)
    }

    @Sendable func listMembers(_ request: Request, context: ServiceRequestContext) async throws -> Items<Membership> {
        let caller = try await caller(context)
        let group = try await group(context)
        guard StructureAccess.canReadGroup(
            caller.principal, groupID: group.id, departmentID: group.departmentID, memberGroups: caller.memberGroups,
            memberDepartments: caller.memberDepartments)
        else { throw Problem.forbidden("You may not see this group's agents.") }
        return Items(items: try await structure.members(of: try Self.id(context, "id")))
    }

    @Sendable func status(_ request: Request, context: ServiceRequestContext) async throws -> Items<Membership> {
        let caller = try await caller(context)
        let userID = try Self.id(context, "id")
        guard try await users.exists(userID) else { throw Problem.notFound("No such user.") }
        let memberships = try await structure.memberships(of: userID)
        let visible = memberships.filter {
            caller.principal.userID == $0.userID
                || StructureAccess.canReadGroup(
                    caller.principal, groupID: $0.groupID, departmentID: $0.departmentID, memberGroups: caller.memberGroups,
                    memberDepartments: caller.memberDepartments)
        }
        let ownOrAdministrator = caller.principal.userID == userID.uuidString.lowercased() || caller.principal.isSystemAdministrator
        guard !visible.isEmpty || memberships.isEmpty && ownOrAdministrator else {
            throw Problem.forbidden("You may not see this agent.")
        }
        return Items(items: visible)
    }

    @Sendable func changeStatus(_ request: Request, context: ServiceRequestContext) async throws -> AgentStatusChanged {
        let caller = try await caller(context)
        let userID = try Self.id(context, "id")
        let change = try await request.decodeJSON(StatusChange.self, context: context)
        guard let membership = try await structure.memberships(of: userID).first(where: { $0.groupID == change.groupID.lowercased() }) else {
            throw Problem.notFound("The agent is not a member of this group.")
        }
        guard StructureAccess.canChangeStatus(
            caller.principal, of: userID.uuidString.lowercased(), departmentID: membership.departmentID, memberDepartments: caller.memberDepartments)
        else { throw Problem.forbidden("You may not change this agent's status.") }
        var normalized = change
        normalized.groupID = membership.groupID
        return try await structure.setStatus(normalized, of: userID, by: caller.principal.userID)
    }

    @Sendable func changeAvailability(_ request: Request, context: ServiceRequestContext) async throws -> AgentAvailabilityChanged {
        struct Body: Decodable { var available: Bool }
        let caller = try await caller(context)
        let userID = try Self.id(context, "id")
        let body = try await request.decodeJSON(Body.self, context: context)
        guard try await roles.holdsEmployeeRole(userID) else { throw Problem.notFound("No such agent: availability is an employee's.") }
        let departments = Set(try await structure.memberships(of: userID).map(\.departmentID))
        let allowed = caller.principal.userID == userID.uuidString.lowercased()
            || departments.contains { StructureAccess.canChangeStatus(caller.principal, of: "", departmentID: $0, memberDepartments: caller.memberDepartments) }
            || caller.principal.isSystemAdministrator
        guard allowed else { throw Problem.forbidden("You may not change this agent's availability.") }
        return try await structure.setAvailability(body.available, of: userID, by: caller.principal.userID)
    }

    private func group(_ context: ServiceRequestContext) async throws -> Group {
        let id = try Self.id(context, "id")
        guard let group = try await structure.group(id) else { throw Problem.notFound("No such group.") }
        return group
    }

    static func id(_ context: ServiceRequestContext, _ name: String) throws -> UUID {
        try context.uuidParameter(name, notFound: "No such item.")
    }

    static func name(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // Unicode scalars: a character can carry any number of combining marks, and the name is an index key.
        guard (1...100).contains(name.unicodeScalars.count) else {
            throw Problem.unprocessable("A name has 1 to 100 characters.", errors: [.init(field: "name", message: "1...100 characters")])
        }
        return name
    }
}
