import Contracts
import Database
import Foundation
import PostgresNIO

/// Which departments each agent belongs to, kept from `identity.events` (`agent.membership_changed` and `_removed`, a
/// group moved to another department, and the deletion of groups and departments), for canned replies assigned to a
/// department.
public struct AgentDepartments: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    struct Envelope<P: Decodable>: Decodable { var data: P }
    struct Membership: Decodable { var groupID: String; var departmentID: String; var userID: String }
    struct GroupDeleted: Decodable { var groupID: String }
    struct GroupUpdated: Decodable { var id: String; var departmentID: String }
    struct DepartmentDeleted: Decodable { var departmentID: String }

    public func apply(_ type: String, _ bytes: [UInt8], on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        let sql: String
        switch type {
        case "agent.membership_changed":
            let membership = try decode(Membership.self, bytes)
            binds.append(UUID(parsing: membership.userID))
            binds.append(UUID(parsing: membership.groupID))
            binds.append(UUID(parsing: membership.departmentID))
            sql = """
                INSERT INTO \(database.table("agent_departments")) (agent_id, group_id, department_id) VALUES ($1, $2, $3)
                ON CONFLICT (agent_id, group_id) DO UPDATE SET department_id = $3
                """
        case "agent.membership_removed":
            let membership = try decode(Membership.self, bytes)
            binds.append(UUID(parsing: membership.userID))
            binds.append(UUID(parsing: membership.groupID))
            sql = "DELETE FROM \(database.table("agent_departments")) WHERE agent_id = $1 AND group_id = $2"
        case "group.updated":
            let group = try decode(GroupUpdated.self, bytes)
            binds.append(UUID(parsing: group.id))
            binds.append(UUID(parsing: group.departmentID))
            sql = "UPDATE \(database.table("agent_departments")) SET department_id = $2 WHERE group_id = $1 AND department_id <> $2"
        case "group.deleted":
            binds.append(UUID(parsing: try decode(GroupDeleted.self, bytes).groupID))
            sql = "DELETE FROM \(database.table("agent_departments")) WHERE group_id = $1"
        case "department.deleted":
            binds.append(UUID(parsing: try decode(DepartmentDeleted.self, bytes).departmentID))
            sql = "DELETE FROM \(database.table("agent_departments")) WHERE department_id = $1"
        default:
            return
        }
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger).consume()
    }

    private func decode<P: Decodable>(_ type: P.Type, _ bytes: [UInt8]) throws -> P {
        try JSONDecoder().decode(Envelope<P>.self, from: Data(bytes)).data
    }
}
