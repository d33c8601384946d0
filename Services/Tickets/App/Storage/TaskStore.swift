import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Tasks: made on their own or from a ticket (then owned by it and one of its related items), changed with
/// `If-Match`, deleted softly; every change is a `task.*` event in the same transaction.
extension TicketStore {
    static let taskColumns = """
        id, brand_id, ticket_id, agent_id, subject, description, status, priority, start_at, due_at, completed_at, original_estimate,
        remaining_estimate, reminder_minutes, created_by, created_at, updated_at, deleted_at, version
        """

    /// A task of the caller's own (no ticket); its agent must be the caller or work in a group.
    public func createTask(_ task: TaskItem, actor: Actor) async throws -> TaskItem {
        try await database.transaction { connection in
            try await checkAgent(of: task, actor: actor, on: connection)
            try await insert(task, details: [:], actor: actor, on: connection)
            return task
        }
    }

    /// Writes a new task with its timers and `task.created` (with `details`) in the caller's transaction.
    func insert(_ task: TaskItem, details: [String: String], actor: Actor, on connection: PostgresConnection) async throws {
        try await insert(task, on: connection)
        try await syncTaskTimers(task, now: Date(), on: connection)
        try await events.publish([("task.created", details)], task: task, actor: actor, on: connection)
    }

    /// A task made from a ticket: owned by it, one of its related items (`ticket.related_added`), in the ticket's brand.
    public func createTask(_ task: TaskItem, fromTicket ticketID: UUID, actor: Actor) async throws -> TaskItem {
        var created = task
        _ = try await modify(ticketID, expectedVersion: nil, actor: actor) { ticket, connection in
            created.ticketID = ticket.id
            created.brandID = ticket.brandID
            try await checkAgent(of: created, actor: actor, on: connection)
            try await insert(created, on: connection)
            try await syncTaskTimers(created, now: Date(), on: connection)
            guard let taskID = UUID(parsing: created.id) else { throw Problem.internalError(requestID: nil) }
            _ = try await link(ticketID, .task, taskID, by: actor.id ?? "", on: connection)
            try await events.publish([("task.created", ["ticketID": ticket.id])], task: created, actor: actor, on: connection)
            return [("ticket.related_added", ["kind": RelatedItemKind.task.rawValue, "itemID": created.id])]
        }
        return created
    }

    public func task(_ id: UUID, includingDeleted: Bool = false) async throws -> TaskItem? {
        try await database.client.withConnection { try await task(id, on: $0, lock: false, includingDeleted: includingDeleted) }
    }

    /// The tickets a task belongs or is related to (the Related Items of which it is one).
    public func ticketsOf(task id: UUID) async throws -> [UUID] {
        try await database.client.withConnection { try await events.relatedTickets(ofTask: id, on: $0) }
    }

    /// Changes a task. The tickets it is related to are share-locked first, so a ticket closing under the
    /// department's tasks guard and a task of it reopening never pass each other.
    public func updateTask(
        _ id: UUID, expectedVersion: Int?, actor: Actor, change: @Sendable (TaskItem) throws -> TaskItem
    ) async throws -> TaskItem {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT 1 FROM \(database.table("tickets")) WHERE id IN
                        (SELECT ticket_id FROM \(database.table("related_items")) WHERE kind = 'task' AND item_id = $1)
                    ORDER BY id FOR SHARE
                    """, binds: binds), logger: database.logger
            ).consume()
            guard let before = try await task(id, on: connection, lock: true, includingDeleted: false) else { throw Problem.notFound("No such task.") }
            if let expectedVersion, expectedVersion != before.version {
                throw Problem.preconditionFailed("The task changed since version \(expectedVersion); it is at version \(before.version). Reload it.")
            }
            var after = try change(before)
            let published = TaskRules.events(from: before, to: after)
            guard !published.isEmpty else { return before }
            if after.agentID != before.agentID { try await checkAgent(of: after, actor: actor, on: connection) }
            after.version = before.version + 1
            try await save(after, on: connection)
            try await syncTaskTimers(after, now: Date(), on: connection)
            try await events.publish(published, task: after, actor: actor, on: connection)
            return after
        }
    }

    /// Marks the task deleted (it leaves every list and no longer holds a ticket open); `task.deleted`.
    public func deleteTask(_ id: UUID, actor: Actor) async throws {
        try await database.transaction { connection in
            guard var task = try await task(id, on: connection, lock: true, includingDeleted: false) else { throw Problem.notFound("No such task.") }
            task.deletedAt = Date()
            task.version += 1
            try await save(task, on: connection)
            try await syncTaskTimers(task, now: Date(), on: connection)
            try await events.publish([("task.deleted", [:])], task: task, actor: actor, on: connection)
        }
    }

    /// Purges a batch of tasks deleted more than `days` ago (Settings → Tickets' `purgeDeletedAfterDays`, 90), with
    /// `task.purged` each; SKIP LOCKED, so several instances share the work. Answers how many went; when none is due
    /// it costs one indexed query and no transaction (the timer loop asks every second).
    public func purgeDeletedTasks(now: Date = Date(), days: Int = TimerPolicy.defaultPurgeDays, limit: Int = 100) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(now.addingTimeInterval(-TimeInterval(days) * 86_400))
        binds.append(limit)
        let due = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT 1 FROM \(database.table("tasks")) WHERE deleted_at <= $1 LIMIT $2", binds: binds), logger: database.logger)
        guard try await due.collect().isEmpty == false else { return 0 }
        return try await database.transaction { connection in
            let purged = try await tasks("WHERE deleted_at <= $1 ORDER BY deleted_at LIMIT $2 FOR UPDATE SKIP LOCKED", binds, on: connection)
            try await purge(purged, on: connection)
            return purged.count
        }
    }

    /// Removes the tasks (and their places among related items) in the caller's transaction, with `task.purged`
    /// each: a deleted task's 90 days are up, or its ticket is purged.
    func purge(_ purged: [TaskItem], on connection: PostgresConnection) async throws {
        guard !purged.isEmpty else { return }
        var ids = PostgresBindings()
        ids.append(purged.compactMap { UUID(parsing: $0.id) })
        for sql in [
            "DELETE FROM \(database.table("related_items")) WHERE kind = 'task' AND item_id = ANY($1)",
            "DELETE FROM \(database.table("tasks")) WHERE id = ANY($1)",
        ] {
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: ids), logger: database.logger).consume()
        }
        for task in purged { try await events.publish([("task.purged", [:])], task: task, actor: .system, on: connection) }
    }

    /// The tasks among a ticket's related items, oldest first.
    public func tasks(ofTicket ticketID: UUID) async throws -> [TaskItem] {
        var binds = PostgresBindings()
        binds.append(ticketID)
        return try await tasks("""
            WHERE deleted_at IS NULL AND id IN (SELECT item_id FROM \(database.table("related_items")) WHERE ticket_id = $1 AND kind = 'task')
            ORDER BY created_at, id
            """, binds)
    }

    /// One page of agents' tasks (nil: every agent's) on one tab whose subject contains `text` (when given), in `sort`
    /// order, then by due date (tasks without one last) and id: `after` is the last task of the previous page.
    public func tasks(
        agents: [UUID]?, tab: TaskTab, after: UUID?, limit: Int, sort: TaskSort = .standard, text: String? = nil
    ) async throws -> [TaskItem] {
        // Only the criteria given become conditions (QueryConditions), so that an agent's list reads their tasks by index.
        var query = QueryConditions("t.deleted_at IS NULL")
        query.require(agents) { "t.agent_id = ANY(\($0))" }
        query.require(tab.statuses.map(\.rawValue)) { "t.status = ANY(\($0))" }
        query.require(text.map(LikePattern.containing)) { "t.subject ILIKE \($0)" }
        let key = sort.key(of: "t"), due = "coalesce(t.due_at, 'infinity'::timestamptz)"
        var previous = ""
        if let after {
            let last = query.bind(after)
            previous = """
                LEFT JOIN (SELECT \(sort.key(of: "a")) AS after_key, coalesce(a.due_at, 'infinity'::timestamptz) AS after_due, a.id AS after_id
                           FROM \(database.table("tasks")) a WHERE a.id = \(last)) last ON true
                """
            query.require("""
                (\(key) \(sort.descending ? "<" : ">") last.after_key OR (\(key) = last.after_key AND (\(due), t.id) > (last.after_due, last.after_id)))
                """)
        }
        let count = query.bind(limit)
        return try await tasks(
            "t \(previous) \(query.whereClause) ORDER BY \(key) \(sort.descending ? "DESC" : "ASC"), \(due), t.id LIMIT \(count)", query.binds)
    }

    /// Agents who work in any of these departments.
    public func agents(inDepartments departments: Set<String>) async throws -> [UUID] {
        var binds = PostgresBindings()
        binds.append(departments.compactMap(UUID.init(parsing:)))
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT DISTINCT agent_id FROM \(database.table("agent_groups")) WHERE department_id = ANY($1)", binds: binds),
            logger: database.logger)
        var agents: [UUID] = []
        for try await agent in rows.decode(UUID.self) { agents.append(agent) }
        return agents
    }

    /// Tasks related to the ticket that are neither Completed nor Rejected (deleted ones do not count).
    func unfinishedTasks(of ticketID: String, on connection: PostgresConnection) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: ticketID))
        binds.append(TaskTab.closed.statuses.map(\.rawValue))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT count(*)::int FROM \(database.table("related_items")) r JOIN \(database.table("tasks")) t ON t.id = r.item_id
                WHERE r.ticket_id = $1 AND r.kind = 'task' AND t.deleted_at IS NULL AND NOT t.status = ANY($2)
                """, binds: binds), logger: database.logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// The task's agent is the actor or an agent of some group (422 otherwise).
    func checkAgent(of task: TaskItem, actor: Actor, on connection: PostgresConnection) async throws {
        guard task.agentID != actor.id else { return }
        var binds = PostgresBindings()
        binds.append(UUID(parsing: task.agentID))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT 1 FROM \(database.table("agent_groups")) WHERE agent_id = $1 LIMIT 1", binds: binds), logger: database.logger)
        for try await _ in rows { return }
        throw Problem.unprocessable("There is no agent \(task.agentID).", errors: [.init(field: "agentID", message: "unknown agent")])
    }

    func task(_ id: UUID, on connection: PostgresConnection, lock: Bool, includingDeleted: Bool) async throws -> TaskItem? {
        var binds = PostgresBindings()
        binds.append(id)
        let tail = "WHERE id = $1" + (includingDeleted ? "" : " AND deleted_at IS NULL") + (lock ? " FOR UPDATE" : "")
        return try await tasks(tail, binds, on: connection).first
    }

    private func tasks(_ tail: String, _ binds: PostgresBindings) async throws -> [TaskItem] {
        try await database.client.withConnection { try await tasks(tail, binds, on: $0) }
    }

    func tasks(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [TaskItem] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.taskColumns) FROM \(database.table("tasks")) \(tail)", binds: binds), logger: database.logger)
        var result: [TaskItem] = []
        for try await row in rows {
            let (id, brand, ticket, agent, subject, description, status, priority, start, due, completed, original, remaining, reminder, creator,
                 created, updated, deleted, version) = try row.decode(
                (UUID, UUID?, UUID?, UUID, String, String, String, String, Date?, Date?, Date?, Int?, Int?, Int?, UUID?, Date, Date, Date?, Int).self)
            result.append(TaskItem(
                id: id.lowercased, brandID: brand?.lowercased, ticketID: ticket?.lowercased, agentID: agent.lowercased, subject: subject,
                description: description, status: TaskStatus(rawValue: status) ?? .inProgress, priority: TicketPriority(rawValue: priority) ?? .normal,
                startAt: start, dueAt: due, completedAt: completed, originalEstimateMinutes: original, remainingEstimateMinutes: remaining,
                reminderMinutes: reminder, createdBy: creator?.lowercased, createdAt: created, updatedAt: updated, deletedAt: deleted, version: version))
        }
        return result
    }

    private func insert(_ task: TaskItem, on connection: PostgresConnection) async throws {
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("tasks")) (\(Self.taskColumns))
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                """, binds: bindings(task)), logger: database.logger
        ).consume()
    }

    private func save(_ task: TaskItem, on connection: PostgresConnection) async throws {
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("tasks")) SET brand_id = $2, ticket_id = $3, agent_id = $4, subject = $5, description = $6, status = $7,
                    priority = $8, start_at = $9, due_at = $10, completed_at = $11, original_estimate = $12, remaining_estimate = $13,
                    reminder_minutes = $14, created_by = $15, created_at = $16, updated_at = $17, deleted_at = $18, version = $19
                WHERE id = $1
                """, binds: bindings(task)), logger: database.logger
        ).consume()
    }

    /// The task's columns in ``taskColumns`` order.
    private func bindings(_ task: TaskItem) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: task.id))
        binds.append(task.brandID.flatMap(UUID.init(parsing:)))
        binds.append(task.ticketID.flatMap(UUID.init(parsing:)))
        binds.append(UUID(parsing: task.agentID))
        binds.append(task.subject)
        binds.append(task.description)
        binds.append(task.status.rawValue)
        binds.append(task.priority.rawValue)
        binds.append(task.startAt)
        binds.append(task.dueAt)
        binds.append(task.completedAt)
        binds.append(task.originalEstimateMinutes)
        binds.append(task.remainingEstimateMinutes)
        binds.append(task.reminderMinutes)
        binds.append(task.createdBy.flatMap(UUID.init(parsing:)))
        binds.append(task.createdAt)
        binds.append(task.updatedAt)
        binds.append(task.deletedAt)
        binds.append(task.version)
        return binds
    }
}
