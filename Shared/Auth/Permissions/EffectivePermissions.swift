import Contracts

/// What a person may do: the union of every role they hold, Everyone included ("a user's ability to work …
/// is dictated by the combination of roles that are assigned to the user").
public enum EffectivePermissions {
    public static func combine(_ roles: [RoleDefinition]) -> PermissionSet {
        var actions: [String: Set<String>] = [:]
        for role in roles {
            for (feature, grant) in role.grants {
                actions[feature.rawValue, default: []].formUnion(grant.actions(on: feature))
            }
        }
        return PermissionSet(actions: actions.filter { !$0.value.isEmpty })
    }

    /// The roles named, resolved against the predefined and the given custom roles, always with Everyone.
    public static func resolve(roleNames: [String], customRoles: [RoleDefinition] = []) -> [RoleDefinition] {
        let names = Set(roleNames + [PredefinedRoles.everyone])
        return (PredefinedRoles.all + customRoles).filter { names.contains($0.name) }
    }
}
