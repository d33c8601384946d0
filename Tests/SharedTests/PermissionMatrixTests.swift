import Auth
import Contracts
import ServiceKit
import Testing

@Suite("Role permissions")
struct PermissionMatrixTests {
    static func principal(roles: [String], custom: [RoleDefinition] = []) -> Principal {
        Principal(
            userID: "u", email: "u@demo.localhost", sessionID: "s", roles: roles, isSystemAdministrator: false,
            permissions: EffectivePermissions.combine(EffectivePermissions.resolve(roleNames: roles, customRoles: custom)),
            scope: AccessScope.of(roleNames: roles))
    }

    @Test("There are fifteen features: four for every role, eleven for employee roles only")
    func features() {
        #expect(Feature.allCases.count == 15)
        #expect(Feature.allCases.filter { !$0.isEmployeeOnly }.map(\.displayName) == ["KB Articles", "KB Feedback", "Canned Replies", "Community"])
        #expect(PredefinedRoles.all.map(\.name) == [
            "Everyone", "Registered User", "Registered User with Verified Email", "Agent", "Manager", "Administrator",
        ])
        for role in PredefinedRoles.all { #expect(throws: Never.self) { try role.validate() } }
    }

    @Test("Each predefined role allows and denies as documented", arguments: [
        // (roles, feature, action, allowed)
        ([PredefinedRoles.everyone], Feature.kbArticles, "View", true),
        ([PredefinedRoles.everyone], Feature.kbArticles, "Create", false),
        ([PredefinedRoles.everyone], Feature.tickets, "Reply", false),
        ([PredefinedRoles.everyone], Feature.community, "Create Post", false),
        ([PredefinedRoles.registeredUser], Feature.community, "Create Post", true),
        ([PredefinedRoles.registeredUser], Feature.community, "Delete Post", false),
        ([PredefinedRoles.registeredUserWithVerifiedEmail], Feature.community, "Delete Post", true),
        ([PredefinedRoles.registeredUserWithVerifiedEmail], Feature.cannedReplies, "View/Insert", false),
        ([PredefinedRoles.agent], Feature.tickets, "Transfer", true),
        ([PredefinedRoles.agent], Feature.tickets, "Take", true),
        ([PredefinedRoles.agent], Feature.tickets, "Delete", false),
        ([PredefinedRoles.agent], Feature.callLogs, "Delete", false),
        ([PredefinedRoles.agent], Feature.tasks, "Delete", false),
        ([PredefinedRoles.agent], Feature.usersOrganizations, "Delete User/Organization", false),
        ([PredefinedRoles.agent], Feature.usersOrganizations, "Create User/Organization", true),
        ([PredefinedRoles.agent, PredefinedRoles.manager], Feature.tickets, "Delete", true),
        ([PredefinedRoles.agent], Feature.kbArticles, "Create", true),
        ([PredefinedRoles.agent], Feature.kbArticles, "Delete", false),
        ([PredefinedRoles.agent], Feature.cannedReplies, "Delete", true),
        ([PredefinedRoles.agent], Feature.news, "Delete", true),
        ([PredefinedRoles.agent], Feature.distribution, "Transfer Work Items to Specific Agents", true),
        ([PredefinedRoles.agent, PredefinedRoles.manager], Feature.reports, "Schedule Email", true),
        ([PredefinedRoles.administrator], Feature.kbArticles, "Delete", true),
        ([PredefinedRoles.administrator], Feature.usersOrganizations, "Delete User/Organization", true),
    ])
    func matrix(roles: [String], feature: Feature, action: String, allowed: Bool) {
        let principal = Self.principal(roles: roles)
        #expect(Authorization.allows(principal, feature, action) == allowed, "\(roles) \(feature.displayName) \(action)")
        if allowed {
            #expect(throws: Never.self) { try Authorization.require(principal, feature, action) }
        } else {
            #expect(throws: Problem.forbidden("Your roles do not allow \(action) on \(feature.displayName).")) {
                try Authorization.require(principal, feature, action)
            }
        }
    }

    @Test("A custom role narrowing Distribution to no transfer is enforced")
    func noTransferRole() throws {
        var narrow = PredefinedRoles.named(PredefinedRoles.agent)
        narrow?.name = "Agent without transfers"
        narrow?.isPredefined = false
        narrow?.grants[.distribution] = .custom(["Manage Agent Status"])
        let role = try #require(narrow)
        try role.validate()
        let principal = Self.principal(roles: [role.name], custom: [role])
        #expect(!Authorization.allows(principal, .distribution, "Transfer Work Items"))
        #expect(!Authorization.allows(principal, .distribution, "Transfer Work Items to Specific Agents"))
        #expect(Authorization.allows(principal, .distribution, "Manage Agent Status"))
        #expect(Authorization.allows(principal, .tickets, "Reply"))
        // Roles combine: holding the full Agent role too gives the transfers back, as the chapter warns.
        #expect(Authorization.allows(Self.principal(roles: [role.name, PredefinedRoles.agent], custom: [role]), .distribution, "Transfer Work Items"))
    }

    @Test("Grants are checked against the documented levels, custom options, their requirements and the role type")
    func validation() {
        #expect(throws: Problem.self) { try FeatureGrant(.modify).validate(for: .community, roleType: .employee) }
        #expect(throws: Problem.self) { try FeatureGrant.custom(["Fly"]).validate(for: .tickets, roleType: .employee) }
        #expect(throws: Never.self) { try FeatureGrant.custom(["Reply", "Mark as Deleted"]).validate(for: .tickets, roleType: .employee) }
        #expect(throws: Problem.self) {
            try FeatureGrant.custom(["Transfer Work Items to Specific Agents"]).validate(for: .distribution, roleType: .employee)
        }
        #expect(throws: Problem.self) { try FeatureGrant.custom(["View Details"]).validate(for: .survey, roleType: .employee) }
        #expect(throws: Problem.self) { try FeatureGrant(.readOnly).validate(for: .tickets, roleType: .user) }
        #expect(throws: Never.self) { try FeatureGrant.custom(["View Summary", "View Details"]).validate(for: .survey, roleType: .employee) }
        #expect(throws: Never.self) { try FeatureGrant(.fullControl).validate(for: .community, roleType: .user) }
    }

    @Test("None removes a feature and every other level also lets the role read it")
    func levels() {
        #expect(FeatureGrant(.none).actions(on: .tickets).isEmpty)
        #expect(FeatureGrant(.readOnly).actions(on: .tasks) == ["View", "Advanced Search"])
        #expect(FeatureGrant(.modify).actions(on: .kbArticles).contains("Clear Helpfulness"))
        #expect(!FeatureGrant(.modify).actions(on: .kbArticles).contains("Review"))
    }

    @Test("Whose work an employee sees: agents their groups, managers (who must be agents) their departments, administrators all")
    func scopes() {
        #expect(AccessScope.of(roleNames: [PredefinedRoles.agent]) == .ownGroups)
        #expect(AccessScope.of(roleNames: [PredefinedRoles.agent, PredefinedRoles.manager]) == .memberDepartments)
        #expect(AccessScope.of(roleNames: [PredefinedRoles.manager]) == .none)
        #expect(AccessScope.of(roleNames: [PredefinedRoles.administrator]) == .everything)
        #expect(AccessScope.of(roleNames: [PredefinedRoles.registeredUser]) == .none)
    }

    @Test("The access token carries the combined permissions compactly and any service reads them back")
    func tokenCarriesPermissions() async throws {
        let tokens = await TokenService(secret: TokenService.developmentSecret)
        var narrow = try #require(PredefinedRoles.named(PredefinedRoles.agent))
        narrow.name = "Narrow"
        narrow.grants[.distribution] = .custom(["Manage Agent Status"])
        for principal in [
            Self.principal(roles: [PredefinedRoles.agent, PredefinedRoles.manager, PredefinedRoles.administrator]),
            Self.principal(roles: ["Narrow"], custom: [narrow]),
        ] {
            let token = try await tokens.sign(principal)
            #expect(token.utf8.count < 2048, "token of \(token.utf8.count) bytes")
            let verified = try await tokens.verify(token)
            #expect(verified.permissions == principal.permissions)
            #expect(verified.scope == principal.scope)
        }
    }
}
