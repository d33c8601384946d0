import Contracts
import Database
import Foundation
import PostgresNIO

/// The data of `agent.membership_removed`: the agent is no longer a member of the group.
public struct MembershipRemoved: Codable, Sendable, Equatable {
    public var groupID: String
    public var departmentID: String
    public var userID: String
}

/// Removing an agent from a group (the seed's Remove on a group's Agents tab, or Member unchecked on the agent's
/// Groups tab, S001:6122, 6225): the relationship and its Active flags go, each announced as
/// `agent.membership_removed`, keyed by the agent as `agent.membership_changed` is so that the two stay in order.
extension StructureRepository {
    /// Removes `userID` from `group`; false when they were not a member.
    public func removeMembership(group: Group, userID: UUID) async throws -> Bool {
        try await database.transaction { connection in
            try await removeMemberships(of: userID, group: UUID(parsing: group.id), on: connection) > 0
        }
    }

    /// Removes the user from one group, or from every group (`group` nil), in the caller's transaction; answers how
    /// many memberships went.
    func removeMemberships(of userID: UUID, group: UUID?, on connection: PostgresConnection) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(userID)
        binds.append(group)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                DELETE FROM \(database.table("group_members")) m USING \(database.table("groups")) g
                WHERE m.user_id = $1 AND ($2::uuid IS NULL OR m.group_id = $2) AND g.id = m.group_id
                RETURNING m.group_id, g.department_id
                """, binds: binds), logger: database.logger)
        var removed: [MembershipRemoved] = []
        for try await (group, department) in rows.decode((UUID, UUID).self) {
            removed.append(MembershipRemoved(
                groupID: group.uuidString.lowercased(), departmentID: department.uuidString.lowercased(), userID: userID.uuidString.lowercased()))
        }
        for membership in removed.sorted(by: { $0.groupID < $1.groupID }) {
            try await publish("agent.membership_removed", subject: membership.userID, brandID: nil, data: membership, on: connection)
        }
        return removed.count
    }
}
