import Auth
import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

public struct UserRecord: Sendable, Equatable {
    public var id: UUID
    public var email: String
    public var passwordHash: String
    public var displayName: String
    public var isSystemAdministrator: Bool
    public var forcePasswordChange: Bool = false
}

/// Employees and portal users as sign-in and role assignment read them.
public struct UserRepository: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func find(email: String) async throws -> UserRecord? {
        var binds = PostgresBindings()
        binds.append(email)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT id, email, password_hash, display_name, is_system_administrator, force_password_change FROM \(database.table("users")) WHERE lower(email) = lower($1)", binds: binds),
            logger: database.logger)
        for try await (id, email, hash, name, admin, force) in rows.decode((UUID, String, String, String, Bool, Bool).self) {
            return UserRecord(id: id, email: email, passwordHash: hash, displayName: name, isSystemAdministrator: admin, forcePasswordChange: force)
        }
        return nil
    }

    public func find(id: UUID, on connection: PostgresConnection) async throws -> UserRecord? {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT id, email, password_hash, display_name, is_system_administrator, force_password_change FROM \(database.table("users")) WHERE id = $1", binds: binds),
            logger: database.logger)
        for try await (id, email, hash, name, admin, force) in rows.decode((UUID, String, String, String, Bool, Bool).self) {
            return UserRecord(id: id, email: email, passwordHash: hash, displayName: name, isSystemAdministrator: admin, forcePasswordChange: force)
        }
        return nil
    }

    /// Creates the user, or when the email exists, makes it a system administrator with the new password.
    @discardableResult
    public func upsertAdministrator(email: String, passwordHash: String, displayName: String) async throws -> UUID {
        var binds = PostgresBindings()
        binds.append(UUIDv7.generate())
        binds.append(email)
        binds.append(passwordHash)
        binds.append(displayName)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("users")) (id, email, password_hash, display_name, is_system_administrator)
                VALUES ($1, $2, $3, $4, true)
                ON CONFLICT ((lower(email))) DO UPDATE SET password_hash = EXCLUDED.password_hash, is_system_administrator = true
                RETURNING id
                """, binds: binds),
            logger: database.logger)
        for try await id in rows.decode(UUID.self) {
            try await grant([PredefinedRoles.administrator, PredefinedRoles.agent], to: id)
            return id
        }
        throw Problem.internalError(requestID: nil)
    }

    public func find(id: UUID) async throws -> UserRecord? {
        try await database.client.withConnection { try await find(id: id, on: $0) }
    }

    public func exists(_ id: UUID) async throws -> Bool {
        try await find(id: id) != nil
    }

    /// Adds roles (by name) to what a user holds.
    public func grant(_ roleNames: [String], to userID: UUID) async throws {
        var binds = PostgresBindings()
        binds.append(userID)
        binds.append(roleNames)
        try await database.client.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("user_roles")) (user_id, role_id) SELECT $1, id FROM \(database.table("roles")) WHERE name = ANY($2) ON CONFLICT DO NOTHING", binds: binds),
            logger: database.logger
        ).consume()
    }

    public func createUser(email: String, passwordHash: String, displayName: String) async throws -> UUID {
        let id = UUIDv7.generate()
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(email)
        binds.append(passwordHash)
        binds.append(displayName)
        try await translatingUniqueViolation(into: Problem.conflict("A user with this email exists.")) {
            try await database.client.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("users")) (id, email, password_hash, display_name) VALUES ($1, $2, $3, $4)", binds: binds),
                logger: database.logger
            ).consume()
        }
        return id
    }
}
