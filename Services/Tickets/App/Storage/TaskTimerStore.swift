import Contracts
import Database
import Foundation
import PostgresNIO

/// Task timers as rows, rewritten with every change of their task (``TaskRules/timers(for:now:)``) and claimed one at
/// a time with SKIP LOCKED, so each fires once across instances and survives restarts.
extension TicketStore {
    func syncTaskTimers(_ task: TaskItem, now: Date, on connection: PostgresConnection) async throws {
        let timers = TaskRules.timers(for: task, now: now).sorted { $0.key.rawValue < $1.key.rawValue }
        var binds = PostgresBindings()
        binds.append(UUID(parsing: task.id))
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("task_timers")) WHERE task_id = $1", binds: binds), logger: database.logger
        ).consume()
        guard !timers.isEmpty else { return }
        binds.append(timers.map(\.key.rawValue))
        binds.append(timers.map(\.value))
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("task_timers")) (task_id, kind, due_at)
                SELECT $1, kind, due_at FROM unnest($2::text[], $3::timestamptz[]) AS t(kind, due_at)
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// Claims the earliest due task timer and publishes its event (`task.started`, `task.reminder`, `task.due`) while
    /// the task is still open; false when none is due.
    @discardableResult
    public func runDueTaskTimer(now: Date = Date()) async throws -> Bool {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(now)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    DELETE FROM \(database.table("task_timers")) WHERE (task_id, kind) IN (
                        SELECT task_id, kind FROM \(database.table("task_timers")) WHERE due_at <= $1 ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING task_id, kind, due_at
                    """, binds: binds), logger: database.logger)
            var claimed: (UUID, String, Date)?
            for try await row in rows.decode((UUID, String, Date).self) { claimed = row }
            guard let (taskID, kindName, dueAt) = claimed else { return false }
            guard let kind = TaskTimerKind(rawValue: kindName), let task = try await task(taskID, on: connection, lock: true, includingDeleted: false),
                !task.status.isFinished
            else { return true }
            try await events.publish([(kind.eventType, ["at": dueAt.formatted(.iso8601)])], task: task, actor: .system, on: connection)
            return true
        }
    }
}
