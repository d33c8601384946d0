/// A role: predefined or custom, for employees or users, with a grant per feature (features it does not
/// mention are None).
public struct RoleDefinition: Sendable, Codable, Equatable {
    public var name: String
    public var type: RoleType
    public var isPredefined: Bool
    public var grants: [Feature: FeatureGrant]

    public init(name: String, type: RoleType, isPredefined: Bool = false, grants: [Feature: FeatureGrant]) {
        self.name = name
        self.type = type
        self.isPredefined = isPredefined
        self.grants = grants
    }

    public func validate() throws {
        for (feature, grant) in grants { try grant.validate(for: feature, roleType: type) }
    }
}

/// The six roles every installation has (seed 001, 6265–6272), with their default permissions: employee roles
/// start at Full Control on every feature ("For the Employee role, all feature permissions default to Full
/// Control"), except what the manual says agents may not do by default: delete knowledge base articles (4375),
/// tickets (3262), call logs (3678), tasks (3891), users (4076) and organizations (4198); they may delete canned
/// replies and news items. What sets Agent, Manager and Administrator apart is whose work they see
/// (`AccessScope`).
public enum PredefinedRoles {
    public static let everyone = "Everyone"
    public static let agent = "Agent"
    public static let manager = "Manager"
    public static let administrator = "Administrator"
    public static let registeredUser = "Registered User"
    public static let registeredUserWithVerifiedEmail = "Registered User with Verified Email"

    public static let all: [RoleDefinition] = [
        RoleDefinition(name: everyone, type: .user, isPredefined: true, grants: [
            .kbArticles: .custom(["View"]), .kbFeedback: FeatureGrant(.readOnly), .cannedReplies: FeatureGrant(.none),
            .community: FeatureGrant(.none),
        ]),
        RoleDefinition(name: registeredUser, type: .user, isPredefined: true, grants: [
            .kbArticles: .custom(["View"]), .kbFeedback: FeatureGrant(.modify), .cannedReplies: FeatureGrant(.none),
            .community: FeatureGrant(.readOnly),
        ]),
        RoleDefinition(name: registeredUserWithVerifiedEmail, type: .user, isPredefined: true, grants: [
            .kbArticles: .custom(["View"]), .kbFeedback: FeatureGrant(.modify), .cannedReplies: FeatureGrant(.none),
            .community: FeatureGrant(.fullControl),
        ]),
        employeeRole(agent, without: [
            .kbArticles: ["Delete"], .tickets: ["Delete"], .callLogs: ["Delete"], .tasks: ["Delete"],
            .usersOrganizations: ["Delete User/Organization", "Delete Organization"],
        ]),
        employeeRole(manager),
        employeeRole(administrator),
    ]

    public static func named(_ name: String) -> RoleDefinition? { all.first { $0.name == name } }

    /// Full Control everywhere, less the actions `without` names (as Custom grants of the remaining actions).
    private static func employeeRole(_ name: String, without: [Feature: Set<String>] = [:]) -> RoleDefinition {
        var grants = Dictionary(uniqueKeysWithValues: Feature.allCases.map { ($0, FeatureGrant(.fullControl)) })
        for (feature, denied) in without {
            grants[feature] = .custom(FeatureGrant(.fullControl).actions(on: feature).subtracting(denied))
        }
        return RoleDefinition(name: name, type: .employee, isPredefined: true, grants: grants)
    }
}
