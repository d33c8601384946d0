/// Whose work an employee sees (seed 001, 6267–6270): an agent their own items in groups they belong to, a
/// manager all work in departments where they belong to a group, an administrator everything.
public enum AccessScope: String, Sendable, Codable, Comparable {
    case none
    case ownGroups = "own-groups"
    case memberDepartments = "member-departments"
    case everything

    public static func < (lhs: AccessScope, rhs: AccessScope) -> Bool {
        let order: [AccessScope] = [.none, .ownGroups, .memberDepartments, .everything]
        return order.firstIndex(of: lhs) ?? 0 < order.firstIndex(of: rhs) ?? 0
    }
}
