import Contracts
import Database
import Foundation
import PostgresNIO

/// A durable sweep over a department's tickets, for work too large for the event that starts it (re-timing them,
/// handing them over): the department waits in a queue table (`department_id`, `after_ticket`, and the sweep's own
/// columns), and each call takes one batch in one transaction. With several instances each batch is taken by one
/// (SKIP LOCKED); an interrupted sweep resumes after the last ticket it finished.
extension TicketStore {
    /// Queues a sweep of the department's tickets in `queue` (a table of department_id and after_ticket), from the
    /// start if one was under way.
    func scheduleSweep(_ queue: String, ofDepartment id: String, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: id))
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table(queue)) (department_id, after_ticket) VALUES ($1, NULL)
                ON CONFLICT (department_id) DO UPDATE SET after_ticket = NULL
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// Queues a settling sweep (its queue has `finished_at` and `checked_at`) in `queue` of the tickets whose `scope`
    /// is `id`, with the queue's `column` set to `value` (where a deleted group's or department's tickets go, the
    /// department a moved group's go to), from the start if one was under way.
    func scheduleSettlingSweep(
        _ queue: String, scope: String, of id: UUID?, with column: String, _ value: UUID?, on connection: PostgresConnection
    ) async throws {
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(value)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table(queue)) (\(scope), \(column)) VALUES ($1, $2)
                ON CONFLICT (\(scope)) DO UPDATE SET \(column) = $2, after_ticket = NULL, finished_at = NULL, checked_at = NULL
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// Runs `batch` on the next tickets (by id, matching `tickets`, a condition on the tickets table) of a
    /// department waiting in `queue` whose row passes `claimable`, with the value of its `extra` column; false when
    /// none waits. `scope` is the column both tables name the swept tickets by: a group's (`group_id`) as well.
    ///
    /// The batch's tickets are locked as they are chosen, and PostgreSQL checks each against the condition again once
    /// it has it: a ticket an agent transferred out meanwhile is left alone, not handed over or deleted with the
    /// department it left. A batch can then come back short, so the sweep ends only at an empty one.
    ///
    /// A sweep that `settles` (its queue has `finished_at` and `checked_at`) does not end at its first empty batch: a
    /// ticket written by a transaction that read the department before it changed can commit after that batch, and
    /// would stay behind for good. It sweeps again from the start a minute after each empty batch, and ends at the
    /// first empty one ten minutes after the first (``SweepSettling``).
    func sweepDepartmentBatch(
        queue: String, scope: String = "department_id", extra: String = "NULL::uuid", claimable: String = "true", tickets filter: String,
        settles: Bool = false, batchSize: Int, batch: ([UUID], UUID?, PostgresConnection) async throws -> Void
    ) async throws -> Bool {
        try await database.transaction { connection in
            let table = database.table(queue)
            let due = settles ? "(\(claimable)) AND \(SweepSettling.due)" : claimable
            let claimed = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(scope), after_ticket, \(extra) FROM \(table) q WHERE \(due) LIMIT 1 FOR UPDATE SKIP LOCKED"),
                logger: database.logger)
            var next: (UUID, UUID?, UUID?)?
            for try await row in claimed.decode((UUID, UUID?, UUID?).self) { next = row }
            guard let (department, after, value) = next else { return false }
            var binds = PostgresBindings()
            binds.append(department)
            binds.append(after)
            binds.append(batchSize)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT id FROM \(database.table("tickets"))
                    WHERE \(scope) = $1 AND \(filter) AND id > \(KeysetCursor.uuidAfter("$2")) ORDER BY id LIMIT $3 FOR UPDATE
                    """, binds: binds), logger: database.logger)
            var ids: [UUID] = []
            for try await id in rows.decode(UUID.self) { ids.append(id) }
            try await batch(ids, value, connection)
            var progress = PostgresBindings()
            progress.append(department)
            if !ids.isEmpty { progress.append(ids.last) }
            let step: String
            switch (ids.isEmpty, settles) {
            case (true, false): step = "DELETE FROM \(table) WHERE \(scope) = $1"
            case (true, true): step = SweepSettling.emptyBatch(table: table, scope: scope)
            case (false, false): step = "UPDATE \(table) SET after_ticket = $2 WHERE \(scope) = $1"
            case (false, true): step = "UPDATE \(table) SET after_ticket = $2, checked_at = NULL WHERE \(scope) = $1"
            }
            try await connection.query(PostgresQuery(unsafeSQL: step, binds: progress), logger: database.logger).consume()
            return true
        }
    }
}
