import Contracts
import Database
import Foundation
import PostgresNIO

/// Emailed single-use tokens (password resets, email verification): 256 random bits shown once in a link,
/// stored as SHA-256, redeemable once before they expire. `table` has id, user_id, token_hash, expires_at, used_at.
public struct OneTimeTokens: Sendable {
    let database: Database
    let table: String

    public init(database: Database, table: String) {
        self.database = database
        self.table = table
    }

    public func issue(for userID: UUID, lifetime: TimeInterval, on connection: PostgresConnection) async throws -> String {
        let token = RefreshToken.generate()
        var binds = PostgresBindings()
        binds.append(UUIDv7.generate())
        binds.append(userID)
        binds.append(ByteBuffer(bytes: RefreshToken.hash(token)))
        binds.append(Date().addingTimeInterval(lifetime))
        try await connection.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(database.table(table)) (id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)", binds: binds),
            logger: database.logger
        ).consume()
        return token
    }

    /// The user of a live token, which is then used up together with every other open token of that user;
    /// nil when the token is unknown, used or expired.
    public func redeem(_ token: String, on connection: PostgresConnection) async throws -> UUID? {
        var binds = PostgresBindings()
        binds.append(ByteBuffer(bytes: RefreshToken.hash(token)))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT user_id FROM \(database.table(table))
                WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() FOR UPDATE
                """, binds: binds), logger: database.logger)
        var userID: UUID?
        for try await id in rows.decode(UUID.self) { userID = id }
        guard let userID else { return nil }
        var userBinds = PostgresBindings()
        userBinds.append(userID)
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table(table)) SET used_at = now() WHERE user_id = $1 AND used_at IS NULL", binds: userBinds),
            logger: database.logger
        ).consume()
        return userID
    }
}
