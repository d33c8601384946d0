import Auth
import Contracts
import Foundation
import ServiceKit

/// Who may see and change what in the company structure; plain functions over the caller's scope and the
/// departments and groups they belong to ("agents and managers MUST be part of a group in order to interact
/// with any communications within that group").
public enum StructureAccess {
    /// Departments whose groups and agents the caller may read: all for an administrator, the departments where
    /// a manager belongs to a group, and for an agent only those same departments (reads of groups inside them
    /// are narrowed further by `canReadGroup`).
    public static func canReadDepartment(
        _ principal: Principal, departmentID: String, memberDepartments: Set<String>
    ) -> Bool {
        principal.isSystemAdministrator || principal.scope == .everything || memberDepartments.contains(departmentID)
    }

    public static func canReadGroup(
        _ principal: Principal, groupID: String, departmentID: String, memberGroups: Set<String>, memberDepartments: Set<String>
    ) -> Bool {
        if principal.isSystemAdministrator || principal.scope == .everything { return true }
        if principal.scope == .memberDepartments { return memberDepartments.contains(departmentID) }
        return memberGroups.contains(groupID)
    }

    /// Changing an agent's Active status in a group: the agent themself when their roles allow Manage Agent
    /// Status, a manager of that department, or an administrator.
    public static func canChangeStatus(
        _ principal: Principal, of userID: String, departmentID: String, memberDepartments: Set<String>
    ) -> Bool {
        if principal.isSystemAdministrator || principal.scope == .everything { return true }
        if principal.scope == .memberDepartments && memberDepartments.contains(departmentID) { return true }
        return principal.userID == userID && Authorization.allows(principal, .distribution, "Manage Agent Status")
    }

    public static func requireAdministrator(_ principal: Principal?) throws -> Principal {
        try Authorization.requireSystemAdministrator(principal)
    }
}
