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
    /// case-insensitive substring match in SQL rather than an index of their own. Only the criteria given become
    /// conditions (``QueryConditions``): written as `($n IS NULL OR …)`, none could bound an index scan, and every
    /// search read every task.
    public func searchTasks(_ criteria: TaskSearchCriteria, visibility: TaskVisibility) async throws -> [TaskItem] {
        let (tail, binds) = taskSearch(criteria, visibility: visibility)
        return try await database.client.withConnection { connection in try await tasks(tail, binds, on: connection) }
    }

    /// What follows `SELECT <task columns> FROM tasks` for the search, and its parameters.
    func taskSearch(_ criteria: TaskSearchCriteria, visibility: TaskVisibility) -> (String, PostgresBindings) {
        var parameters = QueryConditions(criteria.onlyDeleted ? "deleted_at IS NOT NULL" : "deleted_at IS NULL")
        if let visible = visibleTasks(visibility, &parameters) { parameters.require(visible) }
        if let text = criteria.text {
            let pattern = parameters.bind(LikePattern.containing(text))
            let matches = switch criteria.scope {
            case .subject: "subject ILIKE \(pattern)"
            case .comments: "EXISTS (SELECT 1 FROM \(database.table("task_comments")) c WHERE c.task_id = tasks.id AND c.body ILIKE \(pattern))"
            case .all: "(subject ILIKE \(pattern) OR description ILIKE \(pattern))"
            }
            parameters.require(matches)
        }
        parameters.require(criteria.ticketNumber) { "id = ANY(ARRAY(\(linkedTasks) AND k.number = \($0)))" }
        parameters.require(criteria.agentID) { "agent_id = \($0)" }
        if !criteria.priorities.isEmpty { parameters.require("priority = ANY(\(parameters.bind(criteria.priorities.map(\.rawValue))))") }
        if !criteria.statuses.isEmpty { parameters.require("status = ANY(\(parameters.bind(criteria.statuses.map(\.rawValue))))") }
        for (column, range) in [("start_at", criteria.start), ("due_at", criteria.due), ("created_at", criteria.created), ("updated_at", criteria.modified)] {
            parameters.require(range.from) { "\(column) >= \($0)" }
            parameters.require(range.to) { "\(column) < \($0)" }
        }
        let limit = parameters.bind(criteria.limit)
        return ("\(parameters.whereClause) ORDER BY coalesce(due_at, 'infinity'::timestamptz), id LIMIT \(limit)", parameters.binds)
    }

    /// The ids of tasks that are related items of a ticket `k`, to which a condition on `k` is added.
    private var linkedTasks: String {
        "SELECT r.item_id FROM \(database.table("related_items")) r JOIN \(database.table("tickets")) k ON k.id = r.ticket_id WHERE r.kind = 'task'"
    }

    /// The condition of whose tasks the caller sees (``TaskAccess`` as SQL), its values bound in `parameters`; nil
    /// for those who see everyone's.
    private func visibleTasks(_ visibility: TaskVisibility, _ parameters: inout QueryConditions) -> String? {
        guard !visibility.everything else { return nil }
        var arms: [String] = []
        if let me = visibility.me {
            let placeholder = parameters.bind(me)
            arms += ["agent_id = \(placeholder)", "created_by = \(placeholder)"]
        }
        if !visibility.managedAgents.isEmpty { arms.append("agent_id = ANY(\(parameters.bind(visibility.managedAgents)))") }
        if !visibility.groups.isEmpty || !visibility.departments.isEmpty {
            let groups = parameters.bind(visibility.groups), departments = parameters.bind(visibility.departments)
            arms.append("id = ANY(ARRAY(\(linkedTasks) AND (k.group_id = ANY(\(groups)::uuid[]) OR k.department_id = ANY(\(departments)::uuid[]))))")
        }
        return arms.isEmpty ? "false" : "(" + arms.joined(separator: " OR ") + ")"
    }
}
