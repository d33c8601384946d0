import Auth
import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The data of `user.deleted`.
public struct UserDeleted: Codable, Sendable, Equatable {
    public var userID: String
    public var email: String
}

/// Users as the Users/Organizations pages read and change them: details with roles, profile and people
/// fields, filtered pages, optimistic updates and deletion; every change is an event.
public struct UserDirectory: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    /// A page ordered by id; `query` matches the start of the email or display name, `role` a held role, `ids` names
    /// the users (a ticket list's customers, read at once).
    public func list(query: String?, role: String?, ids: [UUID]? = nil, page: PageRequest) async throws -> Page<UserDetails> {
        var conditions = QueryConditions()
        try conditions.after(page.cursor, as: [.uuid]) { "u.id > \($0[0])" }
        conditions.require(ids) { "u.id = ANY(\($0))" }
        conditions.require(query.map { LikePattern.prefix($0.lowercased()) }) { "(lower(u.email) LIKE \($0) OR lower(u.display_name) LIKE \($0))" }
        conditions.require(role == "Everyone" ? nil : role) {
            """
            EXISTS (SELECT 1 FROM \(database.table("user_roles")) fr JOIN \(database.table("roles")) frn ON frn.id = fr.role_id
                    WHERE fr.user_id = u.id AND frn.name = \($0))
            """
        }
        let limit = conditions.bind(page.limit + 1)
        let users = try await database.client.withConnection { connection in
            try await select("\(conditions.whereClause) GROUP BY u.id ORDER BY u.id LIMIT \(limit)", conditions.binds, on: connection)
        }
        return Page.from(fetched: users, limit: page.limit) { [$0.id] }
    }

    /// Creates a user holding `roles` (names) and publishes `user.created` with the new details.
    public func create(email: String, displayName: String, passwordHash: String, roles: [String], forcePasswordChange: Bool) async throws -> UserDetails {
        try await database.transaction { connection in
            let id = UUIDv7.generate()
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(email)
            binds.append(passwordHash)
            binds.append(displayName)
            binds.append(forcePasswordChange)
            try await translatingUniqueViolation(into: Problem.conflict("A user with the email \(email) exists.")) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("users")) (id, email, password_hash, display_name, force_password_change) VALUES ($1, $2, $3, $4, $5)", binds: binds),
                    logger: database.logger
                ).consume()
            }
            var roleBinds = PostgresBindings()
            roleBinds.append(id)
            roleBinds.append(roles)
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("user_roles")) (user_id, role_id) SELECT $1, id FROM \(database.table("roles")) WHERE name = ANY($2)", binds: roleBinds),
                logger: database.logger
            ).consume()
            guard let created = try await details(id, on: connection) else { throw Problem.internalError(requestID: nil) }
            try await events.publish("user.created", subject: created.id, data: UserChanged(created), on: connection)
            return created
        }
    }

    public func details(_ id: UUID) async throws -> UserDetails? {
        try await database.client.withConnection { try await details(id, on: $0) }
    }

    /// Stores `updated` when the user is still at `expectedVersion` (412 otherwise) and publishes `user.updated`.
    public func save(_ updated: UserDetails, expectedVersion: Int) async throws -> UserDetails {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(updated.email)
            binds.append(updated.displayName)
            binds.append(try JSONColumn.encode(updated.profile))
            binds.append(try JSONColumn.encode(updated.customFields))
            binds.append(updated.forcePasswordChange)
            binds.append(UUID(parsing: updated.id))
            binds.append(expectedVersion)
            let rows = try await translatingUniqueViolation(into: Problem.conflict("Another user has the email \(updated.email).")) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        UPDATE \(database.table("users")) u SET email = $1, display_name = $2, profile = $3::jsonb, custom_fields = $4::jsonb,
                            force_password_change = $5, version = u.version + 1,
                            email_verified_at = CASE WHEN lower(u.email) = lower($1) THEN u.email_verified_at END
                        FROM \(database.table("users")) before
                        WHERE u.id = $6 AND u.version = $7 AND before.id = u.id RETURNING lower(before.email) <> lower($1)
                        """, binds: binds), logger: database.logger
                ).collect()
            }
            guard let changed = rows.first, let id = UUID(parsing: updated.id) else {
                throw Problem.preconditionFailed("The user changed since version \(expectedVersion); read it again.")
            }
            if try changed.decode(Bool.self) { try await revokeVerifiedRole(of: id, on: connection) }
            guard let saved = try await details(id, on: connection) else { throw Problem.notFound("No such user.") }
            try await events.publish("user.updated", subject: saved.id, data: UserChanged(saved), on: connection)
            return saved
        }
    }

    /// A new address is unconfirmed: the role that confirming the old one gave ("Registered User with Verified
    /// Email") goes with it, or the user would keep its rights, and tickets would show them the new address's tickets.
    private func revokeVerifiedRole(of id: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(PredefinedRoles.registeredUserWithVerifiedEmail)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                DELETE FROM \(database.table("user_roles")) WHERE user_id = $1
                    AND role_id IN (SELECT id FROM \(database.table("roles")) WHERE name = $2)
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// Deletes a user for good (sessions, memberships and roles go with it) and publishes `user.deleted`; the last
    /// system administrator stays.
    public func delete(_ user: UserDetails) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUID(parsing: user.id))
            let remaining = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    DELETE FROM \(database.table("users")) WHERE id = $1
                    RETURNING (SELECT count(*) FROM \(database.table("users")) WHERE is_system_administrator AND id <> $1)
                    """, binds: binds), logger: database.logger)
            var otherAdministrators: Int64 = 0
            for try await count in remaining.decode(Int64.self) { otherAdministrators = count }
            if user.isSystemAdministrator && otherAdministrators == 0 {
                throw Problem.conflict("This is the last system administrator; make another one first.")
            }
            if let id = UUID(parsing: user.id) { try await CommentRepository(database: database).deleteAll(of: .user, id, on: connection) }
            try await events.publish("user.deleted", subject: user.id, data: UserDeleted(userID: user.id, email: user.email), on: connection)
        }
    }

    /// Sets a new password hash, clears "force password change" and ends the user's sessions but `sessionID`.
    public func setPassword(_ hash: String, of userID: UUID, keepingSession sessionID: UUID?) async throws {
        try await database.transaction { try await setPassword(hash, of: userID, keepingSession: sessionID, on: $0) }
    }

    public func setPassword(_ hash: String, of userID: UUID, keepingSession sessionID: UUID?, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(hash)
        binds.append(userID)
        binds.append(sessionID)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH changed AS (
                    UPDATE \(database.table("users")) SET password_hash = $1, force_password_change = false, version = version + 1
                    WHERE id = $2 RETURNING id)
                UPDATE \(database.table("sessions")) SET revoked_at = now()
                WHERE user_id = (SELECT id FROM changed) AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3)
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// Announces a user written outside the API (the demo seed, `concierge create-admin` or `create-user`) as
    /// `type` (`user.created`, or `user.updated` for an account that may have existed), so that other services know them.
    public func announce(_ id: UUID, as type: String) async throws {
        try await database.transaction { connection in
            guard let user = try await details(id, on: connection) else { throw Problem.notFound("No such user.") }
            try await events.publish(type, subject: user.id, data: UserChanged(user), on: connection)
        }
    }

    private func details(_ id: UUID, on connection: PostgresConnection) async throws -> UserDetails? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await select("WHERE u.id = $1 GROUP BY u.id", binds, on: connection).first
    }

    private func select(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [UserDetails] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT u.id, u.email, u.display_name, u.email_verified_at IS NOT NULL, u.force_password_change, u.is_system_administrator,
                       u.profile::text, u.custom_fields::text, u.version,
                       coalesce(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}')
                FROM \(database.table("users")) u
                LEFT JOIN \(database.table("user_roles")) ur ON ur.user_id = u.id
                LEFT JOIN \(database.table("roles")) r ON r.id = ur.role_id
                \(tail)
                """, binds: binds), logger: database.logger)
        var result: [UserDetails] = []
        for try await (id, email, name, verified, force, admin, profile, fields, version, roles)
            in rows.decode((UUID, String, String, Bool, Bool, Bool, String, String, Int, [String]).self)
        {
            result.append(UserDetails(
                id: id.uuidString.lowercased(), email: email, displayName: name, emailVerified: verified, forcePasswordChange: force,
                isSystemAdministrator: admin, roles: roles.contains("Everyone") ? roles : ["Everyone"] + roles,
                profile: try JSONColumn.decode(UserProfile.self, from: profile),
                customFields: try JSONColumn.decode([String: String].self, from: fields), version: version))
        }
        return result
    }
}
