import Database
import Foundation
import PostgresNIO

/// Whose tasks a search may return (``TaskAccess`` as SQL): everyone's, or the caller's own (as agent or creator),
/// those of the agents they manage, and those related to tickets of their groups and managed departments.
public struct TaskVisibility: Sendable {
    public var everything: Bool
    public var me: UUID?
    public var managedAgents: [UUID] = []
    public var groups: [UUID] = []
    public var departments: [UUID] = []
}

extension TicketStore {
    /// The task advanced search, by due date (undated last) then id. Tasks are few beside tickets, so text is a
    /// case-insensitive substring match in SQL rather than an index of their own.
    public func searchTasks(_ criteria: TaskSearchCriteria, visibility: TaskVisibility) async throws -> [TaskItem] {
        var binds = PostgresBindings()
        binds.append(criteria.onlyDeleted)
        binds.append(visibility.everything)
        binds.append(visibility.me)
        binds.append(visibility.managedAgents)
        binds.append(visibility.groups)
        binds.append(visibility.departments)
        binds.append(criteria.text.map(LikePattern.containing))
        binds.append(criteria.scope.rawValue)
        binds.append(criteria.ticketNumber)
        binds.append(criteria.agentID)
        binds.append(criteria.priorities.isEmpty ? nil : criteria.priorities.map(\.rawValue))
        binds.append(criteria.statuses.isEmpty ? nil : criteria.statuses.map(\.rawValue))
        for range in [criteria.start, criteria.due, criteria.created, criteria.modified] {
            binds.append(range.from)
            binds.append(range.to)
        }
        binds.append(criteria.limit)
        let related = database.table("related_items")
        let tickets = database.table("tickets")
        return try await database.client.withConnection { connection in
            try await tasks("""
                WHERE (deleted_at IS NOT NULL) = $1
                  AND ($2 OR agent_id = $3 OR created_by = $3 OR agent_id = ANY($4::uuid[])
                       OR id IN (SELECT r.item_id FROM \(related) r JOIN \(tickets) k ON k.id = r.ticket_id
                                 WHERE r.kind = 'task' AND (k.group_id = ANY($5::uuid[]) OR k.department_id = ANY($6::uuid[]))))
                  AND ($7::text IS NULL OR CASE $8
                        WHEN 'subject' THEN subject ILIKE $7
                        WHEN 'comments' THEN EXISTS (SELECT 1 FROM \(database.table("task_comments")) c WHERE c.task_id = tasks.id AND c.body ILIKE $7)
                        ELSE subject ILIKE $7 OR description ILIKE $7 END)
                  AND ($9::text IS NULL OR id IN (SELECT r.item_id FROM \(related) r JOIN \(tickets) k ON k.id = r.ticket_id
                                                  WHERE r.kind = 'task' AND k.number = $9))
                  AND ($10::uuid IS NULL OR agent_id = $10) AND ($11::text[] IS NULL OR priority = ANY($11))
                  AND ($12::text[] IS NULL OR status = ANY($12))
                  AND ($13::timestamptz IS NULL OR start_at >= $13) AND ($14::timestamptz IS NULL OR start_at < $14)
                  AND ($15::timestamptz IS NULL OR due_at >= $15) AND ($16::timestamptz IS NULL OR due_at < $16)
                  AND ($17::timestamptz IS NULL OR created_at >= $17) AND ($18::timestamptz IS NULL OR created_at < $18)
                  AND ($19::timestamptz IS NULL OR updated_at >= $19) AND ($20::timestamptz IS NULL OR updated_at < $20)
                ORDER BY coalesce(due_at, 'infinity'::timestamptz), id LIMIT $21
                """, binds, on: connection)
        }
    }
}
