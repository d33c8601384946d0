import Auth
import Contracts
import Foundation

/// Who a request's caller is to an account (``ProfileEditor``): themselves or another, with which permissions, whether
/// the account is an employee's, and, for a portal user's own account, the Permissions of the portal the request came
/// through.
struct AccountEditors: Sendable {
    let roles: RoleRepository
    let brandSettings: BrandSettingsRepository

    func editor(_ principal: Principal, of userID: String, brandID: String?) async throws -> ProfileEditor {
        // An API key is not its owner at their own account: it edits one only by the Users permission it was given.
        let isSelf = principal.userID == userID.lowercased() && !principal.signedInWithApiKey
        var targetIsEmployee = false
        if let id = UUID(parsing: userID) { targetIsEmployee = try await roles.holdsEmployeeRole(id) }
        var portal = PortalPermissions()
        if isSelf, !targetIsEmployee, let brand = brandID.flatMap(UUID.init(parsing:)), let settings = try await brandSettings.find(brand) {
            portal = settings.settings.permissions
        }
        return ProfileEditor(
            isSelf: isSelf, mayEditUsers: Authorization.allows(principal, .usersOrganizations, "Edit User/Organization"),
            isAdministrator: principal.isSystemAdministrator, targetIsEmployee: targetIsEmployee, portal: portal)
    }
}
