import Contracts
import Database
import Foundation
import PostgresNIO

/// A group an administrator moves to another department (the group's Options tab, Department [S001:6081]) takes its
/// tickets along: their department, and the brand that department belongs to, by the timer workers, batch by batch,
/// once across instances, resuming after a restart. The tickets keep their group, agent, status and idle time; their
/// department's timers (auto-close, auto-lock, auto-delete) become the new department's.
extension TicketStore {
    /// Queues the group's tickets for the move to `department` (from the start, if a move was under way).
    func scheduleDepartmentMove(ofGroup id: UUID, to department: UUID, on connection: PostgresConnection) async throws {
        try await scheduleSettlingSweep("group_department_moves", scope: "group_id", of: id, with: "department_id", department, on: connection)
    }

    /// Moves the next batch of a moved group's tickets to its department in one transaction: each ticket's department,
    /// brand and version, the view counts, its timers, and `ticket.department_changed` (with its history row). A
    /// department tickets does not know yet waits until it does. False when no group waits.
    @discardableResult
    public func moveGroupTicketsToItsDepartment(batchSize: Int = 200) async throws -> Bool {
        let moves = database.table("group_department_moves"), ticketsTable = database.table("tickets")
        return try await sweepDepartmentBatch(
            queue: "group_department_moves", scope: "group_id", extra: "department_id",
            claimable: "EXISTS (SELECT 1 FROM \(database.table("departments")) d WHERE d.id = q.department_id)",
            tickets: "department_id <> (SELECT m.department_id FROM \(moves) m WHERE m.group_id = \(ticketsTable).group_id)", settles: true,
            batchSize: batchSize
        ) { ids, departmentID, connection in
            guard let departmentID, let department = try await department(departmentID, on: connection), !ids.isEmpty else { return }
            var binds = PostgresBindings()
            binds.append(ids)
            binds.append(departmentID)
            let before = try await tickets("WHERE id = ANY($1) AND department_id <> $2 ORDER BY id FOR UPDATE", binds, on: connection)
            guard !before.isEmpty else { return }
            var moving = PostgresBindings()
            moving.append(before.compactMap { UUID(parsing: $0.id) })
            moving.append(departmentID)
            moving.append(department.brandID)
            let after = try await decodeTickets(
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        UPDATE \(database.table("tickets")) SET department_id = $2, brand_id = $3, version = version + 1
                        WHERE id = ANY($1) RETURNING \(Self.columns)
                        """, binds: moving), logger: database.logger))
            let previous = Dictionary(uniqueKeysWithValues: before.map { ($0.id, $0) })
            var delta: [CountCell: Int] = [:]
            for ticket in after {
                delta.merge(CountPlacement.delta(from: previous[ticket.id].map(CountPlacement.init), to: CountPlacement(ticket)), uniquingKeysWith: +)
                if let id = UUID(parsing: ticket.id) { try await syncTimers(id, on: connection) }
            }
            try await counts.apply(delta, on: connection)
            try await events.publish(
                after.map { ticket in
                    let from = previous[ticket.id]
                    return (ticket, [TicketEvents.Item(
                        "ticket.department_changed", actor: .system,
                        details: [
                            "fromDepartmentID": from?.departmentID ?? "", "toDepartmentID": ticket.departmentID,
                            "fromBrandID": from?.brandID ?? "", "toBrandID": ticket.brandID, "cause": "group_moved",
                        ])])
                }, on: connection)
        }
    }
}
