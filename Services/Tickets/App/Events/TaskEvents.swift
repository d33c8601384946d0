import Contracts
import Database
import Foundation
import PostgresNIO

/// The data of every `task.*` event on `tickets.events`: the task as it is after the change, what happened and who
/// did it. Keyed by the task id, so one task's events stay in order.
public struct TaskEventData: Codable, Sendable {
    public var task: TaskItem
    /// Every ticket the task is among the related items of (its own ticket's too): a rule's Related Item condition
    /// [S001:8558] and the reports that file tasks by ticket read them here.
    public var relatedTicketIDs: [String]
    public var actorKind: String
    public var actorID: String?
    public var details: [String: String]
}

extension TicketEvents {
    /// Appends the task's events to the outbox in the change's transaction.
    func publish(_ items: [(type: String, details: [String: String])], task: TaskItem, actor: Actor, on connection: PostgresConnection) async throws {
        guard !items.isEmpty else { return }
        var related: [String] = []
        if let id = UUID(parsing: task.id) { related = try await relatedTickets(ofTask: id, on: connection).map(\.lowercased) }
        try await outbox.append(
            items.map { item in
                CloudEvent(
                    source: ServiceName.tickets.rawValue, type: item.type, subject: task.id, brandid: task.brandID,
                    data: TaskEventData(task: task, relatedTicketIDs: related, actorKind: actor.kind, actorID: actor.id, details: item.details))
            },
            topic: ServiceName.tickets.eventsTopic, on: connection)
    }

    /// The tickets the task is among the related items of (its own ticket's too), by id.
    func relatedTickets(ofTask id: UUID, on connection: PostgresConnection) async throws -> [UUID] {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT ticket_id FROM \(database.table("related_items")) WHERE kind = 'task' AND item_id = $1 ORDER BY ticket_id",
                binds: binds),
            logger: database.logger)
        var tickets: [UUID] = []
        for try await ticket in rows.decode(UUID.self) { tickets.append(ticket) }
        return tickets
    }
}

/// The data of `task_schedule.created`, `.changed` and `.deleted`: the Task Scheduler entry and who changed it.
public struct TaskScheduleEventData: Codable, Sendable {
    public var schedule: TaskSchedule
    public var actorKind: String
    public var actorID: String?
}

extension TicketEvents {
    func publish(_ type: String, schedule: TaskSchedule, actor: Actor, on connection: PostgresConnection) async throws {
        try await outbox.append(
            [
                CloudEvent(
                    source: ServiceName.tickets.rawValue, type: type, subject: schedule.id, brandid: schedule.brandID,
                    data: TaskScheduleEventData(schedule: schedule, actorKind: actor.kind, actorID: actor.id))
            ],
            topic: ServiceName.tickets.eventsTopic, on: connection)
    }
}
