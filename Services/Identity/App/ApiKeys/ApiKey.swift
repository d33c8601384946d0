import Contracts
import Foundation

/// An API key for automation as listed: never the secret, which is shown once when the key is made.
public struct ApiKey: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var permissions: [String: [String]]
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?
    public var revoked: Bool
}

/// The answer to creating a key: the only time `key` is ever shown.
public struct CreatedApiKey: Codable, Sendable {
    public var key: String
    public var apiKey: ApiKey
}

/// `POST /api/v1/identity/api-keys`: permissions per feature id, each a subset of what the creator may do.
public struct CreateApiKeyRequest: Decodable, Sendable {
    public var name: String
    public var permissions: [String: [String]]
    public var expiresInDays: Int?
}

/// `POST /api/v1/identity/sessions/api-key`: trade a key for a short-lived access token.
public struct ApiKeySignInRequest: Decodable, Sendable {
    public var apiKey: String
}
