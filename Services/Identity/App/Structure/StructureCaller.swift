import Auth
import Contracts
import Foundation
import ServiceKit

/// The caller and the departments and groups they belong to, which every structure read and change is
/// measured against.
struct StructureCaller {
    var principal: Principal
    var memberGroups: Set<String>
    var memberDepartments: Set<String>

    static func load(_ context: ServiceRequestContext, structure: StructureRepository) async throws -> StructureCaller {
        let principal = try Authorization.requireSignedIn(context.principal)
        var memberships: [Membership] = []
        if let userID = UUID(parsing: principal.userID) { memberships = try await structure.memberships(of: userID) }
        return StructureCaller(
            principal: principal, memberGroups: Set(memberships.map(\.groupID)), memberDepartments: Set(memberships.map(\.departmentID)))
    }

    var seesEverything: Bool { principal.isSystemAdministrator || principal.scope == .everything }

    /// The department ids a list is narrowed to; nil when the caller sees every department.
    var visibleDepartments: [UUID]? { seesEverything ? nil : memberDepartments.compactMap(UUID.init(parsing:)) }

    /// The group ids a list is narrowed to: all groups of a manager's departments are filtered by department instead.
    func visibleGroups(in department: String) -> [UUID]? {
        if seesEverything || principal.scope == .memberDepartments && memberDepartments.contains(department) { return nil }
        return memberGroups.compactMap(UUID.init(parsing:))
    }

    func canRead(_ group: Group) -> Bool {
        StructureAccess.canReadGroup(
            principal, groupID: group.id, departmentID: group.departmentID, memberGroups: memberGroups, memberDepartments: memberDepartments)
    }

    func canRead(department id: String) -> Bool {
        StructureAccess.canReadDepartment(principal, departmentID: id, memberDepartments: memberDepartments)
    }
}
