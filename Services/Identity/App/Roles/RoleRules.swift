import Foundation
import Auth
import ServiceKit

/// What makes a role and a set of role assignments valid.
public enum RoleRules {
    public static func validateName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...60).contains(trimmed.unicodeScalars.count) else {
            throw Problem.unprocessable("A role name has 1 to 60 characters.", errors: [.init(field: "name", message: "1...60 characters")])
        }
        return trimmed
    }

    /// Everyone is implicit and always held; Manager needs Agent ("Managers must also have the agent role
    /// enabled"); every name must be a role that exists.
    public static func validateAssignment(_ names: [String], known: [String]) throws -> [String] {
        let knownByLowercase = Dictionary(known.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var resolved: [String] = []
        for name in names {
            guard let role = knownByLowercase[name.lowercased()] else {
                throw Problem.unprocessable("There is no role \(name).", errors: [.init(field: "roles", message: "unknown role \(name)")])
            }
            if role != PredefinedRoles.everyone && !resolved.contains(role) { resolved.append(role) }
        }
        if resolved.contains(PredefinedRoles.manager) && !resolved.contains(PredefinedRoles.agent) {
            throw Problem.unprocessable("Managers must also have the Agent role.", errors: [.init(field: "roles", message: "Manager requires Agent")])
        }
        return resolved
    }
}
