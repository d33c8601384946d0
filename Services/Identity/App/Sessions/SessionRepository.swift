import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Refresh-token sessions: stored hashed, rotated on every use, revocable.
public struct SessionRepository: Sendable {
    let database: Database
    public let lifetime: TimeInterval

    public init(database: Database, lifetime: TimeInterval = 30 * 24 * 3600) {
        self.database = database
        self.lifetime = lifetime
    }

    public func create(userID: UUID, refreshToken: String) async throws -> UUID {
        let id = UUIDv7.generate()
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(userID)
        binds.append(ByteBuffer(bytes: RefreshToken.hash(refreshToken)))
        binds.append(Date().addingTimeInterval(lifetime))
        try await database.client.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("sessions")) (id, user_id, refresh_token_hash, expires_at) VALUES ($1, $2, $3, $4)", binds: binds),
            logger: database.logger
        ).consume()
        return id
    }

    /// Swaps a live refresh token for a new one and returns the session and its user; nil when the token is
    /// unknown, already rotated, revoked or expired.
    public func rotate(_ refreshToken: String, to newToken: String) async throws -> (sessionID: UUID, userID: UUID)? {
        var binds = PostgresBindings()
        binds.append(ByteBuffer(bytes: RefreshToken.hash(newToken)))
        binds.append(Date().addingTimeInterval(lifetime))
        binds.append(ByteBuffer(bytes: RefreshToken.hash(refreshToken)))
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("sessions")) SET refresh_token_hash = $1, expires_at = $2, refreshed_at = now()
                WHERE refresh_token_hash = $3 AND revoked_at IS NULL AND expires_at > now()
                RETURNING id, user_id
                """, binds: binds),
            logger: database.logger)
        for try await (sessionID, userID) in rows.decode((UUID, UUID).self) { return (sessionID, userID) }
        return nil
    }

    public struct Info: Codable, Sendable {
        public var id: String
        public var createdAt: Date
        public var refreshedAt: Date
        public var expiresAt: Date
        public var current: Bool
    }

    /// A user's live sessions, newest first.
    public func live(userID: UUID, current: String) async throws -> [Info] {
        var binds = PostgresBindings()
        binds.append(userID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, created_at, refreshed_at, expires_at FROM \(database.table("sessions"))
                WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC
                """, binds: binds), logger: database.logger)
        var sessions: [Info] = []
        for try await (id, created, refreshed, expires) in rows.decode((UUID, Date, Date, Date).self) {
            let text = id.uuidString.lowercased()
            sessions.append(Info(id: text, createdAt: created, refreshedAt: refreshed, expiresAt: expires, current: text == current))
        }
        return sessions
    }

    /// Revokes a user's session; false when there was no live one.
    public func revoke(sessionID: UUID, userID: UUID) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(sessionID)
        binds.append(userID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("sessions")) SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id", binds: binds),
            logger: database.logger)
        var revoked = false
        for try await _ in rows { revoked = true }
        return revoked
    }
}
