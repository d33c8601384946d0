import Contracts
import ServiceKit

/// Permission checks every service applies itself; plain functions so domain tests can call them.
public enum Authorization {
    public static func requireSignedIn(_ principal: Principal?) throws -> Principal {
        guard let principal else { throw Problem.unauthorized("Sign in first.") }
        return principal
    }

    public static func requireSystemAdministrator(_ principal: Principal?) throws -> Principal {
        let principal = try requireSignedIn(principal)
        guard principal.isSystemAdministrator else {
            throw Problem.forbidden("Only a system administrator may do this.")
        }
        return principal
    }

    public static func hasRole(_ principal: Principal?, _ role: String) -> Bool {
        principal?.roles.contains(role) ?? false
    }
}
