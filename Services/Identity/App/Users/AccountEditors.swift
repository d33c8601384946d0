import Auth
import Contracts
import Foundation

/// Who a request's caller is to an account (``ProfileEditor``): themselves or another, with which permissions, whether
/// the account is an employee's, and the Permissions of the portal the request came through.
struct AccountEditors: Sendable {
    let roles: RoleRepository
    let brandSettings: BrandSettingsRepository

    func editor(_ principal: Principal, of userID: String, holding userRoles: [String], brandID: String?) async throws -> ProfileEditor {
        let employeeRoles = Set(try await roles.all().filter { $0.type == .employee }.map(\.name))
        var portal = PortalPermissions()
        if let brand = brandID.flatMap(UUID.init(parsing:)), let settings = try await brandSettings.find(brand) { portal = settings.settings.permissions }
        return ProfileEditor(
            isSelf: principal.userID == userID.lowercased(), mayEditUsers: Authorization.allows(principal, .usersOrganizations, "Edit User/Organization"),
            isAdministrator: principal.isSystemAdministrator, targetIsEmployee: userRoles.contains(where: employeeRoles.contains), portal: portal)
    }
}
