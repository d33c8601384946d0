import Contracts

extension AccessScope {
    /// The widest scope the roles give; Manager counts only together with Agent ("Managers must also have the
    /// agent role enabled").
    public static func of(roleNames: [String]) -> AccessScope {
        let names = Set(roleNames)
        if names.contains(PredefinedRoles.administrator) { return .everything }
        if names.contains(PredefinedRoles.manager) && names.contains(PredefinedRoles.agent) { return .memberDepartments }
        if names.contains(PredefinedRoles.agent) { return .ownGroups }
        return .none
    }
}
