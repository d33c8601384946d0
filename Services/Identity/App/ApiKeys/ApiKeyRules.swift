import Auth
import Contracts
import Foundation
import ServiceKit

/// Keys are `ck_<id>_<secret>`: the id finds the row, only the secret's SHA-256 is stored.
public enum ApiKeyRules {
    public static let prefix = "ck_"

    public static func format(id: UUID, secret: String) -> String {
        prefix + id.uuidString.lowercased().replacingOccurrences(of: "-", with: "") + "_" + secret
    }

    public static func parse(_ key: String) -> (id: UUID, secret: String)? {
        guard key.hasPrefix(prefix) else { return nil }
        let parts = key.dropFirst(prefix.count).split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 32 else { return nil }
        var hex = String(parts[0])
        for index in [8, 13, 18, 23] { hex.insert("-", at: hex.index(hex.startIndex, offsetBy: index)) }
        guard let id = UUID(parsing: hex) else { return nil }
        return (id, String(parts[1]))
    }

    /// A key may do only what its creator may do, feature by feature; anything more is a 422 naming it.
    public static func validateScopes(_ requested: [String: [String]], within held: PermissionSet) throws -> PermissionSet {
        var scopes: [String: Set<String>] = [:]
        var errors: [Problem.FieldError] = []
        for (featureID, actions) in requested {
            guard Feature(rawValue: featureID) != nil else {
                errors.append(.init(field: "permissions.\(featureID)", message: "unknown feature"))
                continue
            }
            for action in actions where !held.allows(featureID, action) {
                errors.append(.init(field: "permissions.\(featureID)", message: "you may not \(action)"))
            }
            scopes[featureID] = Set(actions)
        }
        guard errors.isEmpty else { throw Problem.unprocessable("A key cannot do more than its creator.", errors: errors) }
        return PermissionSet(actions: scopes.filter { !$0.value.isEmpty })
    }

    /// What a key may do now: its scopes, narrowed to what its owner may still do.
    public static func effective(scopes: PermissionSet, owner: PermissionSet) -> PermissionSet {
        var actions: [String: Set<String>] = [:]
        for (featureID, granted) in scopes.actions {
            let kept = granted.filter { owner.allows(featureID, $0) }
            if !kept.isEmpty { actions[featureID] = kept }
        }
        return PermissionSet(actions: actions)
    }
}
