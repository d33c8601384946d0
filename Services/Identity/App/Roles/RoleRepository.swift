import Auth
import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Roles and who holds them. Every change appends its event to the outbox in the same transaction.
public struct RoleRepository: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    static let columns = "id, name, type, is_predefined, grants::text, version"

    public func all() async throws -> [Role] {
        try await roles(PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM \(database.table("roles")) ORDER BY is_predefined DESC, lower(name)"))
    }

    public func find(_ id: UUID) async throws -> Role? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await roles(PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM \(database.table("roles")) WHERE id = $1", binds: binds)).first
    }

    /// The roles a user holds, Everyone included.
    public func held(by userID: UUID) async throws -> [Role] {
        var binds = PostgresBindings()
        binds.append(userID)
        return try await roles(PostgresQuery(unsafeSQL: """
            SELECT \(Self.columns) FROM \(database.table("roles"))
            WHERE name = 'Everyone' OR id IN (SELECT role_id FROM \(database.table("user_roles")) WHERE user_id = $1)
            ORDER BY is_predefined DESC, lower(name)
            """, binds: binds))
    }

    public func create(name: String, type: RoleType, grants: [Feature: FeatureGrant]) async throws -> Role {
        let role = Role(id: UUIDv7.generate().uuidString.lowercased(), name: name, type: type, isPredefined: false, grants: grants, version: 1)
        return try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUID(parsing: role.id))
            binds.append(role.name)
            binds.append(role.type.rawValue)
            binds.append(try Self.json(grants))
            try await translatingUniqueViolation(into: Problem.conflict("A role named \(name) exists.")) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("roles")) (id, name, type, grants) VALUES ($1, $2, $3, $4::jsonb)", binds: binds),
                    logger: database.logger
                ).consume()
            }
            try await publish(role, type: "role.created", on: connection)
            return role
        }
    }

    /// Writes `role` over the version it was read at; a change meanwhile is a 409, or a 412 when the caller's If-Match
    /// named that version (`ifMatched`).
    public func update(_ role: Role, ifMatched: Bool = false) async throws -> Role {
        var updated = role
        updated.version += 1
        return try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(updated.name)
            binds.append(try Self.json(updated.grants))
            binds.append(UUID(parsing: role.id))
            binds.append(role.version)
            let rows = try await translatingUniqueViolation(into: Problem.conflict("A role named \(role.name) exists.")) {
                // Collected here: the statement runs as its rows are read, and its unique violation must meet the translation.
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        UPDATE \(database.table("roles")) r SET name = $1, grants = $2::jsonb, version = r.version + 1, updated_at = now()
                        FROM (SELECT name FROM \(database.table("roles")) WHERE id = $3) previous
                        WHERE r.id = $3 AND r.version = $4 RETURNING previous.name <> r.name
                        """, binds: binds),
                    logger: database.logger
                ).collect()
            }
            guard let row = rows.first else {
                if ifMatched { throw Problem.preconditionFailed("The role changed since version \(role.version).") }
                throw Problem.conflict("The role changed meanwhile; read it again.")
            }
            try await publish(updated, type: "role.updated", on: connection)
            // Its holders' roles are named in `user.roles_changed`, so a new name is news for each of them.
            if try row.decode(Bool.self) {
                guard let id = UUID(parsing: role.id) else { return updated }
                try await announceRoles(ofHolders: try await holders(of: id, on: connection), on: connection)
            }
            return updated
        }
    }

    /// Deletes a role; those who held it hear their roles without it (and leave their groups if it was their only
    /// employee role).
    public func delete(_ role: Role) async throws {
        guard !role.isPredefined else { throw Problem.conflict("Predefined roles cannot be deleted.") }
        guard let id = UUID(parsing: role.id) else { throw Problem.notFound("No such role.") }
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            // The role's row locked first: an assignment committing meanwhile (its foreign key waits for this lock)
            // is either among the holders read next or refused once the role is gone.
            try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT 1 FROM \(database.table("roles")) WHERE id = $1 FOR UPDATE", binds: binds), logger: database.logger
            ).consume()
            let holders = try await holders(of: id, on: connection)
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("roles")) WHERE id = $1", binds: binds), logger: database.logger).consume()
            try await publish(role, type: "role.deleted", on: connection)
            try await announceRoles(ofHolders: holders, on: connection)
        }
    }

    /// Replaces the roles a user holds (names already validated) and publishes `user.roles_changed`.
    public func assign(_ names: [String], to userID: UUID) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(userID)
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("user_roles")) WHERE user_id = $1", binds: binds), logger: database.logger).consume()
            binds.append(names)
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("user_roles")) (user_id, role_id) SELECT $1, id FROM \(database.table("roles")) WHERE name = ANY($2)", binds: binds),
                logger: database.logger
            ).consume()
            try await announceRoles(names, of: userID, on: connection)
        }
    }

    private func publish(_ role: Role, type: String, on connection: PostgresConnection) async throws {
        try await events.publish(type, subject: role.id, data: role, on: connection)
    }

    private func roles(_ query: PostgresQuery) async throws -> [Role] {
        let rows = try await database.client.query(query, logger: database.logger)
        var result: [Role] = []
        for try await (id, name, type, predefined, grants, version) in rows.decode((UUID, String, String, Bool, String, Int).self) {
            result.append(Role(
                id: id.uuidString.lowercased(), name: name, type: RoleType(rawValue: type) ?? .user, isPredefined: predefined,
                grants: (try? JSONDecoder().decode([Feature: FeatureGrant].self, from: Data(grants.utf8))) ?? [:], version: version))
        }
        return result
    }

    static func json(_ grants: [Feature: FeatureGrant]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(grants), as: UTF8.self)
    }
}
