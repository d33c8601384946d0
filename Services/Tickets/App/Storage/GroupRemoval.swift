import Contracts
import Database
import Foundation
import PostgresNIO

/// A deleted group's tickets: handed to its department's front-line group as a transfer (that group's round robin, or
/// its queue), by the timer workers, batch by batch, once across instances, resuming after a restart. Without it they
/// would stay in a group no agent belongs to, out of every group list and queue.
extension TicketStore {
    /// Queues the group's tickets for the hand-over.
    func scheduleRemoval(ofGroup id: String, department: String, on connection: PostgresConnection) async throws {
        try await scheduleSettlingSweep(
            "group_removals", scope: "group_id", of: UUID(parsing: id), with: "department_id", UUID(parsing: department), on: connection)
    }

    /// Hands the next batch of a deleted group's tickets to its department's front-line group in one transaction;
    /// false when no group waits. A department that is gone too leaves its tickets to the department's removal; one
    /// whose front line tickets still knows as the deleted group waits for the department's change that names the new one.
    @discardableResult
    public func removeDeletedGroupTickets(batchSize: Int = 200) async throws -> Bool {
        let departments = database.table("departments")
        return try await sweepDepartmentBatch(
            queue: "group_removals", scope: "group_id", extra: "department_id",
            claimable: "NOT EXISTS (SELECT 1 FROM \(departments) d WHERE d.id = q.department_id AND d.front_line_group_id = q.group_id)",
            tickets: "deleted_at IS NULL", settles: true, batchSize: batchSize
        ) { ids, departmentID, connection in
            guard let departmentID, let department = try await department(departmentID, on: connection) else { return }
            try await transfer(ids, toFrontLineOf: department, on: connection)
        }
    }
}
