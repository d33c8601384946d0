/// Who made a request, as proven by a verified access token.
public struct Principal: Sendable, Codable, Equatable {
    public var userID: String
    public var email: String
    public var sessionID: String
    public var roles: [String]
    public var isSystemAdministrator: Bool
    /// The combined feature permissions of all the principal's roles.
    public var permissions: PermissionSet
    public var scope: AccessScope

    /// The session id of a token traded for an API key: `api-key:` and the key's id.
    public static let apiKeySessionPrefix = "api-key:"

    /// Whether the token was traded for an API key, which acts only through the permissions it was given.
    public var signedInWithApiKey: Bool { sessionID.hasPrefix(Self.apiKeySessionPrefix) }

    public init(
        userID: String, email: String, sessionID: String, roles: [String], isSystemAdministrator: Bool,
        permissions: PermissionSet = PermissionSet(), scope: AccessScope = .none
    ) {
        self.userID = userID
        self.email = email
        self.sessionID = sessionID
        self.roles = roles
        self.isSystemAdministrator = isSystemAdministrator
        self.permissions = permissions
        self.scope = scope
    }
}
