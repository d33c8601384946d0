import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The Task Scheduler's entries (`task_schedules`) and the timer that makes their tasks: a due entry is claimed
/// with SKIP LOCKED, its task written and its next occurrence set in one transaction, so with several instances
/// each occurrence makes one task, and occurrences survive restarts (missed ones while no instance ran make one task,
/// then the schedule goes on from the next occurrence).
extension TicketStore {
    static let scheduleColumns = """
        id, brand_id, subject, description, agent_id, status, priority, original_estimate, remaining_estimate, first_occurrence, frequency,
        every, weekdays, time_zone, next_run_at, created_by, created_at, version
        """

    public func createSchedule(_ schedule: TaskSchedule, actor: Actor) async throws -> TaskSchedule {
        try await database.transaction { connection in
            try await checkAgent(of: TaskScheduleRules.task(of: schedule, at: schedule.nextRunAt, id: schedule.id, now: schedule.createdAt), actor: actor, on: connection)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("task_schedules")) (\(Self.scheduleColumns))
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                    """, binds: bindings(schedule)), logger: database.logger
            ).consume()
            try await events.publish("task_schedule.created", schedule: schedule, actor: actor, on: connection)
            return schedule
        }
    }

    /// Every entry (`agent` nil) or those of an agent: theirs or made by them; by next occurrence.
    public func schedules(of agent: UUID?) async throws -> [TaskSchedule] {
        var binds = PostgresBindings()
        binds.append(agent)
        return try await database.client.withConnection { connection in
            try await schedules("WHERE $1::uuid IS NULL OR agent_id = $1 OR created_by = $1 ORDER BY next_run_at, id", binds, on: connection)
        }
    }

    public func schedule(_ id: UUID) async throws -> TaskSchedule? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await database.client.withConnection { try await schedules("WHERE id = $1", binds, on: $0).first }
    }

    /// Replaces an entry (412 when `expectedVersion` is not its version); the next occurrence follows the new timing.
    public func replaceSchedule(_ schedule: TaskSchedule, expectedVersion: Int?, actor: Actor) async throws -> TaskSchedule {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUID(parsing: schedule.id))
            guard let current = try await schedules("WHERE id = $1 FOR UPDATE", binds, on: connection).first else {
                throw Problem.notFound("No such scheduled task.")
            }
            if let expectedVersion, expectedVersion != current.version { throw Problem.preconditionFailed("The scheduled task changed; reload it.") }
            var replaced = schedule
            replaced.createdBy = current.createdBy
            replaced.createdAt = current.createdAt
            replaced.version = current.version + 1
            try await checkAgent(of: TaskScheduleRules.task(of: replaced, at: replaced.nextRunAt, id: replaced.id, now: Date()), actor: actor, on: connection)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE \(database.table("task_schedules")) SET brand_id = $2, subject = $3, description = $4, agent_id = $5, status = $6,
                        priority = $7, original_estimate = $8, remaining_estimate = $9, first_occurrence = $10, frequency = $11, every = $12,
                        weekdays = $13, time_zone = $14, next_run_at = $15, created_by = $16, created_at = $17, version = $18
                    WHERE id = $1
                    """, binds: bindings(replaced)), logger: database.logger
            ).consume()
            try await events.publish("task_schedule.changed", schedule: replaced, actor: actor, on: connection)
            return replaced
        }
    }

    /// Deletes an entry: no more tasks are made from it; the tasks it made stay.
    public func deleteSchedule(_ id: UUID, actor: Actor) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("task_schedules")) WHERE id = $1 RETURNING \(Self.scheduleColumns)", binds: binds),
                logger: database.logger)
            guard let deleted = try await decodeSchedules(rows).first else { throw Problem.notFound("No such scheduled task.") }
            try await events.publish("task_schedule.deleted", schedule: deleted, actor: actor, on: connection)
        }
    }

    /// Makes the task of the earliest due entry and moves the entry to its next occurrence; false when none is due.
    public func runDueTaskSchedule(now: Date = Date()) async throws -> Bool {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(now)
            guard let due = try await schedules("WHERE next_run_at <= $1 ORDER BY next_run_at LIMIT 1 FOR UPDATE SKIP LOCKED", binds, on: connection).first
            else { return false }
            let task = TaskScheduleRules.task(of: due, at: due.nextRunAt, id: UUIDv7.generate().lowercased, now: now)
            try await insert(task, details: ["scheduleID": due.id, "occurrence": due.nextRunAt.formatted(.iso8601)], actor: .system, on: connection)
            let zone = TimeZone(identifier: due.timeZone) ?? .gmt
            var next = PostgresBindings()
            next.append(UUID(parsing: due.id))
            next.append(TaskScheduleRules.occurrence(after: max(now, due.nextRunAt), of: due.firstOccurrence, due.recurrence, in: zone))
            try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("task_schedules")) SET next_run_at = $2 WHERE id = $1", binds: next), logger: database.logger
            ).consume()
            return true
        }
    }

    private func schedules(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [TaskSchedule] {
        try await decodeSchedules(
            try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(Self.scheduleColumns) FROM \(database.table("task_schedules")) \(tail)", binds: binds),
                logger: database.logger))
    }

    private func decodeSchedules(_ rows: PostgresRowSequence) async throws -> [TaskSchedule] {
        var result: [TaskSchedule] = []
        for try await row in rows {
            var cells = RowCells(row)
            let id = try cells.uuid(), brandID = try cells.optionalUUID(), subject = try cells.string(), description = try cells.string()
            let agentID = try cells.uuid(), status = try cells.string(), priority = try cells.string()
            let original = try cells.optionalInt(), remaining = try cells.optionalInt(), first = try cells.date(), frequency = try cells.string()
            let every = try cells.int(), weekdays = try cells.ints(), zone = try cells.string(), next = try cells.date()
            let createdBy = try cells.uuid(), createdAt = try cells.date(), version = try cells.int()
            result.append(TaskSchedule(
                id: id.lowercased, brandID: brandID?.lowercased, subject: subject, description: description, agentID: agentID.lowercased,
                status: TaskStatus(rawValue: status) ?? .inProgress, priority: TicketPriority(rawValue: priority) ?? .normal,
                originalEstimateMinutes: original, remainingEstimateMinutes: remaining, firstOccurrence: first,
                recurrence: Recurrence(frequency: Recurrence.Frequency(rawValue: frequency) ?? .daily, every: every, weekdays: weekdays),
                timeZone: zone, nextRunAt: next, createdBy: createdBy.lowercased, createdAt: createdAt, version: version))
        }
        return result
    }

    private func bindings(_ schedule: TaskSchedule) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: schedule.id))
        binds.append(schedule.brandID.flatMap(UUID.init(parsing:)))
        binds.append(schedule.subject)
        binds.append(schedule.description)
        binds.append(UUID(parsing: schedule.agentID))
        binds.append(schedule.status.rawValue)
        binds.append(schedule.priority.rawValue)
        binds.append(schedule.originalEstimateMinutes)
        binds.append(schedule.remainingEstimateMinutes)
        binds.append(schedule.firstOccurrence)
        binds.append(schedule.recurrence.frequency.rawValue)
        binds.append(schedule.recurrence.every)
        binds.append(schedule.recurrence.weekdays)
        binds.append(schedule.timeZone)
        binds.append(schedule.nextRunAt)
        binds.append(UUID(parsing: schedule.createdBy))
        binds.append(schedule.createdAt)
        binds.append(schedule.version)
        return binds
    }
}
