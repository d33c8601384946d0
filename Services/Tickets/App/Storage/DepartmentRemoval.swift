import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// A deleted department's tickets: handed to the department the administrator chose (its front-line group's round
/// robin, as a transfer) or deleted (kept as deleted and purged after 90 days), by the timer workers, batch by batch,
/// once across instances, resuming after a restart.
extension TicketStore {
    /// Queues the department's tickets for the hand-over (`moveTo`, another department) or deletion (nil).
    func scheduleRemoval(ofDepartment id: String, moveTo: String?, on connection: PostgresConnection) async throws {
        try await scheduleSettlingSweep(
            "department_removals", scope: "department_id", of: UUID(parsing: id), with: "move_to", moveTo.flatMap(UUID.init(parsing:)), on: connection)
    }

    /// Hands over or deletes the next batch of a deleted department's tickets in one transaction; false when no
    /// department waits. A target department tickets does not know (yet) leaves the removal waiting.
    @discardableResult
    public func removeDeletedDepartmentTickets(batchSize: Int = 200) async throws -> Bool {
        try await sweepDepartmentBatch(
            queue: "department_removals", extra: "move_to",
            claimable: "move_to IS NULL OR EXISTS (SELECT 1 FROM \(database.table("departments")) d WHERE d.id = q.move_to)",
            tickets: "deleted_at IS NULL", settles: true, batchSize: batchSize
        ) { ids, moveTo, connection in
            var target: KnownDepartment?
            if let moveTo {
                target = try await department(moveTo, on: connection)
                guard target != nil else { throw Problem.conflict("The department to move tickets to is gone; the removal waits.") }
            }
            if let target {
                try await transfer(ids, toFrontLineOf: target, on: connection)
            } else {
                for id in ids { _ = try await delete(id, by: .system, on: connection) }
            }
        }
    }

    /// Transfers each ticket to the department's front-line group (its round robin, or its queue), by the system.
    func transfer(_ ids: [UUID], toFrontLineOf department: KnownDepartment, on connection: PostgresConnection) async throws {
        for id in ids {
            _ = try await modify(id, expectedVersion: nil, actor: .system, on: connection) { ticket, connection in
                try await transferChange(
                    &ticket, TicketTransfer(groupID: department.frontLineGroupID, agentID: nil, comment: nil), by: "system", on: connection)
            }
        }
    }
}
