/// `POST /api/v1/identity/sessions`.
public struct SignInRequest: Decodable, Sendable {
    public var email: String
    public var password: String
}

/// `POST /api/v1/identity/sessions/refresh`.
public struct RefreshRequest: Decodable, Sendable {
    public var refreshToken: String
}

/// The answer to a sign-in or refresh: a short-lived access token and the rotating refresh token.
public struct SessionTokens: Codable, Sendable {
    public var accessToken: String
    public var refreshToken: String
    public var expiresIn: Int
    public var tokenType: String
    /// "Force password change at next login": until the password is changed the access token carries no
    /// permissions; `PUT /api/v1/identity/me/password` is all it can do.
    public var passwordChangeRequired: Bool = false
}

/// The answer to an API key sign-in: an access token only; the key itself is the long-lived credential.
public struct AccessTokenOnly: Codable, Sendable {
    public var accessToken: String
    public var expiresIn: Int
    public var tokenType: String
}
