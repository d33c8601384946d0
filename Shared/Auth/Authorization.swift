import Contracts
import ServiceKit

/// Permission checks every service applies itself; plain functions so domain tests can call them.
public enum Authorization {
    public static func requireSignedIn(_ principal: Principal?) throws -> Principal {
        guard let principal else { throw Problem.unauthorized("Sign in first.") }
        return principal
    }

    /// An employee: any role with an access scope (agents, managers, administrators), not a customer.
    public static func isEmployee(_ principal: Principal?) -> Bool {
        guard let principal else { return false }
        return principal.isSystemAdministrator || principal.scope != .none
    }

    /// The signed-in employee (401 signed out, 403 for a customer, naming `what` is for employees).
    public static func requireEmployee(_ principal: Principal?, for what: String) throws -> Principal {
        let principal = try requireSignedIn(principal)
        guard isEmployee(principal) else { throw Problem.forbidden("\(what) are for employees.") }
        return principal
    }

    /// The account holder signed in with their password (or single sign-on), not with an API key: a key acts only
    /// through the permissions it was given, so it cannot change its owner's password, email address or keys (403).
    public static func requireAccountHolder(_ principal: Principal?) throws -> Principal {
        let principal = try requireSignedIn(principal)
        guard !principal.signedInWithApiKey else {
            throw Problem.forbidden("An API key acts only through its permissions; sign in to manage your account.")
        }
        return principal
    }

    public static func requireSystemAdministrator(_ principal: Principal?) throws -> Principal {
        let principal = try requireSignedIn(principal)
        guard principal.isSystemAdministrator else {
            throw Problem.forbidden("Only a system administrator may do this.")
        }
        return principal
    }

    /// The check every service makes before acting on a feature: the principal's combined roles must allow
    /// `action` on `feature` (a system administrator always may).
    public static func require(_ principal: Principal?, _ feature: Feature, _ action: String) throws {
        let principal = try requireSignedIn(principal)
        guard principal.isSystemAdministrator || principal.permissions.allows(feature.rawValue, action) else {
            throw Problem.forbidden("Your roles do not allow \(action) on \(feature.displayName).")
        }
    }

    public static func allows(_ principal: Principal?, _ feature: Feature, _ action: String) -> Bool {
        guard let principal else { return false }
        return principal.isSystemAdministrator || principal.permissions.allows(feature.rawValue, action)
    }

    public static func hasRole(_ principal: Principal?, _ role: String) -> Bool {
        principal?.roles.contains(role) ?? false
    }
}
