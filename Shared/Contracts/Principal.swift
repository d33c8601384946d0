/// Who made a request, as proven by a verified access token.
public struct Principal: Sendable, Codable, Equatable {
    public var userID: String
    public var email: String
    public var sessionID: String
    public var roles: [String]
    public var isSystemAdministrator: Bool

    public init(userID: String, email: String, sessionID: String, roles: [String], isSystemAdministrator: Bool) {
        self.userID = userID
        self.email = email
        self.sessionID = sessionID
        self.roles = roles
        self.isSystemAdministrator = isSystemAdministrator
    }
}
