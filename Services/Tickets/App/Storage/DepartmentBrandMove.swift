import Contracts
import Database
import Foundation
import PostgresNIO

/// A department an administrator moves to another brand takes its tickets along: their brand (lists, counts, search
/// filters, the portal that shows them) follows the department, by the timer workers, batch by batch, once across
/// instances, resuming after a restart. Nothing else of a ticket changes: not its idle time, not its timers.
extension TicketStore {
    /// Queues the department's tickets for the move to its current brand (from the start, if a move was under way).
    func scheduleBrandMove(ofDepartment id: String, on connection: PostgresConnection) async throws {
        try await scheduleSweep("department_brand_moves", ofDepartment: id, on: connection)
    }

    /// Moves the next batch of a moved department's tickets to its brand in one transaction: each ticket's brand and
    /// version, the view counts, and `ticket.brand_changed` (with its history row) for each. False when none waits.
    @discardableResult
    public func moveDepartmentTicketsToItsBrand(batchSize: Int = 500) async throws -> Bool {
        try await sweepDepartmentBatch(
            queue: "department_brand_moves", extra: "department_id", tickets: "deleted_at IS NULL", batchSize: batchSize
        ) { ids, departmentID, connection in
            guard let departmentID, let department = try await department(departmentID, on: connection), !ids.isEmpty else { return }
            var binds = PostgresBindings()
            binds.append(ids)
            binds.append(department.brandID)
            let before = try await tickets("WHERE id = ANY($1) AND brand_id <> $2 AND deleted_at IS NULL ORDER BY id FOR UPDATE", binds, on: connection)
            guard !before.isEmpty else { return }
            var moving = PostgresBindings()
            moving.append(before.compactMap { UUID(parsing: $0.id) })
            moving.append(department.brandID)
            let after = try await decodeTickets(
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        UPDATE \(database.table("tickets")) SET brand_id = $2, version = version + 1 WHERE id = ANY($1) RETURNING \(Self.columns)
                        """, binds: moving), logger: database.logger))
            let previous = Dictionary(uniqueKeysWithValues: before.map { ($0.id, $0) })
            var delta: [CountCell: Int] = [:]
            for ticket in after {
                delta.merge(CountPlacement.delta(from: previous[ticket.id].map(CountPlacement.init), to: CountPlacement(ticket)), uniquingKeysWith: +)
            }
            try await counts.apply(delta, on: connection)
            try await events.publish(
                after.map { ticket in
                    (ticket, [TicketEvents.Item(
                        "ticket.brand_changed", actor: .system,
                        details: ["fromBrandID": previous[ticket.id]?.brandID ?? "", "toBrandID": ticket.brandID, "cause": "department_moved"])])
                }, on: connection)
        }
    }
}
