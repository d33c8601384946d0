import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// API keys of users: the secret's hash, the scopes, and their life; creation and revocation are events.
public struct ApiKeyRepository: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    public struct Stored: Sendable {
        public var userID: UUID
        public var name: String
        public var secretHash: [UInt8]
        public var scopes: PermissionSet
        public var expiresAt: Date?
        public var revokedAt: Date?
    }

    public func create(userID: UUID, name: String, scopes: PermissionSet, expiresAt: Date?) async throws -> CreatedApiKey {
        let id = UUIDv7.generate()
        let secret = RefreshToken.generate()
        let permissions = scopes.actions.mapValues { $0.sorted() }
        let key = ApiKey(id: id.uuidString.lowercased(), name: name, permissions: permissions, createdAt: Date(), expiresAt: expiresAt, lastUsedAt: nil, revoked: false)
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(userID)
            binds.append(name)
            binds.append(ByteBuffer(bytes: RefreshToken.hash(secret)))
            binds.append(String(decoding: try JSONEncoder().encode(permissions), as: UTF8.self))
            binds.append(expiresAt)
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("api_keys")) (id, user_id, name, secret_hash, permissions, expires_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)", binds: binds),
                logger: database.logger
            ).consume()
            try await publish("api_key.created", key, owner: userID, on: connection)
        }
        return CreatedApiKey(key: ApiKeyRules.format(id: id, secret: secret), apiKey: key)
    }

    public func list(userID: UUID) async throws -> [ApiKey] {
        var binds = PostgresBindings()
        binds.append(userID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, name, permissions::text, created_at, expires_at, last_used_at, revoked_at IS NOT NULL
                FROM \(database.table("api_keys")) WHERE user_id = $1 ORDER BY created_at DESC
                """, binds: binds), logger: database.logger)
        var keys: [ApiKey] = []
        for try await (id, name, permissions, created, expires, used, revoked) in rows.decode((UUID, String, String, Date, Date?, Date?, Bool).self) {
            keys.append(ApiKey(
                id: id.uuidString.lowercased(), name: name,
                permissions: (try? JSONDecoder().decode([String: [String]].self, from: Data(permissions.utf8))) ?? [:],
                createdAt: created, expiresAt: expires, lastUsedAt: used, revoked: revoked))
        }
        return keys
    }

    public func revoke(_ id: UUID, userID: UUID) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(userID)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("api_keys")) SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING name", binds: binds),
                logger: database.logger)
            var name: String?
            for try await found in rows.decode(String.self) { name = found }
            guard let name else { throw Problem.notFound("No such live API key.") }
            let key = ApiKey(id: id.uuidString.lowercased(), name: name, permissions: [:], createdAt: Date(), expiresAt: nil, lastUsedAt: nil, revoked: true)
            try await publish("api_key.revoked", key, owner: userID, on: connection)
        }
    }

    /// The key's row, marked used.
    public func use(_ id: UUID) async throws -> Stored? {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("api_keys")) SET last_used_at = now() WHERE id = $1
                RETURNING user_id, name, secret_hash, permissions::text, expires_at, revoked_at
                """, binds: binds), logger: database.logger)
        for try await (user, name, hash, permissions, expires, revoked) in rows.decode((UUID, String, ByteBuffer, String, Date?, Date?).self) {
            let scopes = (try? JSONDecoder().decode([String: [String]].self, from: Data(permissions.utf8))) ?? [:]
            return Stored(
                userID: user, name: name, secretHash: Array(buffer: hash), scopes: PermissionSet(actions: scopes.mapValues(Set.init)),
                expiresAt: expires, revokedAt: revoked)
        }
        return nil
    }

    private func publish(_ type: String, _ key: ApiKey, owner: UUID, on connection: PostgresConnection) async throws {
        try await events.publish(type, subject: owner.uuidString.lowercased(), data: key, on: connection)
    }
}
