import Auth
import Contracts
import Database
import Foundation
import PostgresNIO

/// What other services hear when the roles a user holds change: by assignment, or because a role they hold was
/// renamed or deleted.
extension RoleRepository {
    /// Publishes `user.roles_changed` for `userID` holding `names` (Everyone added); a user left without any employee
    /// role leaves every group (the Agent role taken away, S001:1675), and so stops receiving tickets there.
    func announceRoles(_ names: [String], of userID: UUID, on connection: PostgresConnection) async throws {
        let data = UserRoles(userID: userID.uuidString.lowercased(), roles: [PredefinedRoles.everyone] + names)
        try await events.publish("user.roles_changed", subject: data.userID, data: data, on: connection)
        if try await !holdsEmployeeRole(userID, on: connection) {
            _ = try await StructureRepository(database: database).removeMemberships(of: userID, group: nil, on: connection)
        }
    }

    /// Announces again the roles of everyone in `holders`, as they read now.
    func announceRoles(ofHolders holders: [UUID], on connection: PostgresConnection) async throws {
        for userID in holders.sorted(by: { $0.uuidString < $1.uuidString }) {
            try await announceRoles(try await roleNames(of: userID, on: connection), of: userID, on: connection)
        }
    }

    /// Who holds the role `roleID`.
    func holders(of roleID: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        var binds = PostgresBindings()
        binds.append(roleID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT user_id FROM \(database.table("user_roles")) WHERE role_id = $1", binds: binds), logger: database.logger)
        var holders: [UUID] = []
        for try await userID in rows.decode(UUID.self) { holders.append(userID) }
        return holders
    }

    private func roleNames(of userID: UUID, on connection: PostgresConnection) async throws -> [String] {
        var binds = PostgresBindings()
        binds.append(userID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT r.name FROM \(database.table("user_roles")) ur JOIN \(database.table("roles")) r ON r.id = ur.role_id
                WHERE ur.user_id = $1 ORDER BY r.is_predefined DESC, lower(r.name)
                """, binds: binds), logger: database.logger)
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    /// Whether the user holds an employee role (an agent, manager or administrator, or a custom employee role).
    func holdsEmployeeRole(_ userID: UUID) async throws -> Bool {
        try await database.client.withConnection { try await holdsEmployeeRole(userID, on: $0) }
    }

    private func holdsEmployeeRole(_ userID: UUID, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(userID)
        let held = try await connection.firstValue(
            PostgresQuery(unsafeSQL: """
                SELECT EXISTS (SELECT 1 FROM \(database.table("user_roles")) ur JOIN \(database.table("roles")) r ON r.id = ur.role_id
                               WHERE ur.user_id = $1 AND r.type = 'employee')
                """, binds: binds), as: Bool.self, logger: database.logger)
        return held ?? false
    }
}
