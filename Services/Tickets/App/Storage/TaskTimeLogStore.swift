import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Time logged on tasks (the edition's "Tasks … Time logging"), kept with tickets' time logs; each change is a task
/// event in its transaction.
extension TicketStore {
    /// Logs time on a task (billable by default as the department of the ticket it was made from says; not billable
    /// for a task of no ticket unless said) and publishes `task.timelog_created`.
    public func logTime(
        onTask taskID: UUID, minutes: Int, categoryID: UUID?, description: String, subject: String, billable: Bool?, by agent: UUID
    ) async throws -> TimeLog {
        try await database.transaction { connection in
            guard let task = try await task(taskID, on: connection, lock: true, includingDeleted: false) else { throw Problem.notFound("No such task.") }
            let departmentDefault = try await billableByDefault(ticket: task.ticketID, on: connection)
            let log = TimeLog(
                id: UUIDv7.generate().lowercased, ticketID: nil, taskID: task.id, agentID: agent.lowercased, categoryID: categoryID?.lowercased,
                minutes: minutes, description: description, billable: billable ?? departmentDefault, createdAt: Date(), subject: subject)
            try await insert(log, on: connection)
            try await events.publish(
                [("task.timelog_created", log.eventDetails)],
                task: task, actor: .agent(agent.lowercased), on: connection)
            return log
        }
    }

    /// A task's time logs, oldest first.
    public func timeLogs(ofTask taskID: UUID) async throws -> [TimeLog] {
        var binds = PostgresBindings()
        binds.append(taskID)
        return try await database.client.withConnection { try await timeLogs("WHERE task_id = $1 ORDER BY id", binds, on: $0) }
    }

    /// Deletes one of a task's time logs when `allowed` lets the caller (403 otherwise); `task.timelog_deleted`.
    public func deleteTimeLog(ofTask taskID: UUID, log logID: UUID, by agent: UUID, allowed: @Sendable (TimeLog) -> Bool) async throws {
        try await database.transaction { connection in
            guard let task = try await task(taskID, on: connection, lock: true, includingDeleted: false) else { throw Problem.notFound("No such task.") }
            var binds = PostgresBindings()
            binds.append(logID)
            binds.append(taskID)
            guard let log = try await timeLogs("WHERE id = $1 AND task_id = $2 FOR UPDATE", binds, on: connection).first else {
                throw Problem.notFound("The task has no such time log.")
            }
            guard allowed(log) else { throw Problem.forbidden("Only its agent and administrators delete a time log.") }
            var delete = PostgresBindings()
            delete.append(logID)
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("time_logs")) WHERE id = $1", binds: delete), logger: database.logger)
                .consume()
            try await events.publish(
                [("task.timelog_deleted", log.eventDetails)], task: task,
                actor: .agent(agent.lowercased), on: connection)
        }
    }
}
