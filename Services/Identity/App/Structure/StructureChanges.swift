import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Editing and deleting departments and groups, each guarded by the row's version and published.
extension StructureRepository {
    /// Replaces a department with `change(current, connection)` when the version still matches (412 otherwise). What
    /// `change` reads goes through the transaction's connection: it holds the department's lock, for which requests
    /// changing the same department wait holding connections of their own, so one from the pool might never come.
    public func updateDepartment(
        _ id: UUID, expectedVersion: Int?, change: (Department, PostgresConnection) async throws -> Department
    ) async throws -> Department {
        try await database.transaction { connection in
            guard let current = try await department(id, on: connection, lock: true) else { throw Problem.notFound("No such department.") }
            if let expectedVersion, expectedVersion != current.version {
                throw Problem.preconditionFailed("The department changed since version \(expectedVersion); it is at version \(current.version).")
            }
            var next = try await change(current, connection)
            guard next != current else { return current }
            next.version = current.version + 1
            var binds = PostgresBindings()
            binds.append(UUID(parsing: next.brandID))
            binds.append(next.name)
            binds.append(UUID(parsing: next.frontLineGroupID))
            binds.append(next.language)
            binds.append(next.emailAddress)
            binds.append(next.hiddenFromPortal)
            binds.append(next.liveChatEnabled)
            binds.append(try JSONColumn.encode(next.settings))
            binds.append(try JSONColumn.encode(next.customFields))
            binds.append(id)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE \(database.table("departments")) SET brand_id = $1, name = $2, front_line_group_id = $3, language = $4,
                        email_address = $5, hidden_from_portal = $6, live_chat_enabled = $7, settings = $8::jsonb, custom_fields = $9::jsonb,
                        version = version + 1
                    WHERE id = $10
                    """, binds: binds), logger: database.logger
            ).consume()
            try await publish("department.updated", subject: next.id, brandID: next.brandID, data: next, on: connection)
            return next
        }
    }

    /// Deletes a department with its groups and memberships; `department.deleted` tells the services holding its
    /// tickets, chats and call logs to move them to `moveItemsTo` (or delete them when nil).
    public func deleteDepartment(_ id: UUID, moveItemsTo: UUID?) async throws {
        try await database.transaction { connection in
            guard let current = try await department(id, on: connection, lock: true) else { throw Problem.notFound("No such department.") }
            var binds = PostgresBindings()
            binds.append(id)
            let groupRows = try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("groups")) WHERE department_id = $1 RETURNING id", binds: binds),
                logger: database.logger)
            var groupIDs: [String] = []
            for try await groupID in groupRows.decode(UUID.self) { groupIDs.append(groupID.uuidString.lowercased()) }
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("departments")) WHERE id = $1", binds: binds), logger: database.logger
            ).consume()
            let event = DepartmentDeleted(departmentID: current.id, groupIDs: groupIDs.sorted(), moveItemsTo: moveItemsTo?.uuidString.lowercased())
            try await publish("department.deleted", subject: current.id, brandID: current.brandID, data: event, on: connection)
        }
    }

    public func updateGroup(_ id: UUID, expectedVersion: Int?, change: (Group) throws -> Group) async throws -> Group {
        try await database.transaction { connection in
            guard let current = try await group(id, on: connection, lock: true) else { throw Problem.notFound("No such group.") }
            if let expectedVersion, expectedVersion != current.version {
                throw Problem.preconditionFailed("The group changed since version \(expectedVersion); it is at version \(current.version).")
            }
            var next = try change(current)
            guard next != current else { return current }
            if next.departmentID != current.departmentID { try await checkMove(of: current, to: next.departmentID, on: connection) }
            next.version = current.version + 1
            var binds = PostgresBindings()
            binds.append(next.name)
            binds.append(try JSONColumn.encode(next.timeEstimates))
            binds.append(try JSONColumn.encode(next.customFields))
            binds.append(UUID(parsing: next.departmentID))
            binds.append(id)
            try await translatingUniqueViolation(into: Problem.conflict("The department has a group named \(next.name).")) {
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            UPDATE \(database.table("groups"))
                            SET name = $1, time_estimates = $2::jsonb, custom_fields = $3::jsonb, department_id = $4, version = version + 1
                            WHERE id = $5
                            """, binds: binds),
                    logger: database.logger
                ).consume()
            }
            try await publish("group.updated", subject: next.id, brandID: nil, data: next, on: connection)
            return next
        }
    }

    /// A group moves to another department (its Options tab's Department [S001:6081]) unless it is its department's
    /// front line (a department cannot be without one); the department it goes to must exist (422 naming
    /// `departmentID` otherwise). Both departments are locked after the group, as deleting a group locks them.
    private func checkMove(of group: Group, to departmentID: String, on connection: PostgresConnection) async throws {
        if let owner = UUID(parsing: group.departmentID), let department = try await department(owner, on: connection, lock: true),
            department.frontLineGroupID == group.id
        {
            throw Problem.unprocessable(
                "This is the department's front line group; choose another front line group first.",
                errors: [.init(field: "departmentID", message: "the front line group stays with its department")])
        }
        guard let target = UUID(parsing: departmentID), try await department(target, on: connection, lock: true) != nil else {
            throw Problem.unprocessable("There is no department \(departmentID).", errors: [.init(field: "departmentID", message: "no such department")])
        }
    }

    /// Deletes a group that is not its department's front-line group (a department cannot exist without one).
    public func deleteGroup(_ id: UUID) async throws {
        try await database.transaction { connection in
            guard let current = try await group(id, on: connection, lock: true) else { throw Problem.notFound("No such group.") }
            guard let owner = UUID(parsing: current.departmentID), let department = try await department(owner, on: connection, lock: true) else {
                throw Problem.notFound("No such group.")
            }
            guard department.frontLineGroupID != current.id else {
                throw Problem.conflict("This is the department's front line group; choose another front line group first.")
            }
            var binds = PostgresBindings()
            binds.append(id)
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("groups")) WHERE id = $1", binds: binds), logger: database.logger
            ).consume()
            let event = GroupDeleted(groupID: current.id, departmentID: current.departmentID)
            try await publish("group.deleted", subject: current.id, brandID: department.brandID, data: event, on: connection)
        }
    }
}
