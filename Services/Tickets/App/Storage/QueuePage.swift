import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The Queue's page in its standard order (highest priority, then oldest first): the unassigned tickets of one status
/// tab in the caller's groups, or in every group for those who see everything.
///
/// Each group's next tickets come from the queue indexes (`tickets_queue` for Active, `tickets_queue_other` for the
/// other tabs; both lead with the group), a page at most, and only those are sorted together. Everyone's Queue takes
/// its groups from the same index, one probe per group that has queued tickets. After a cursor, a group's tickets are
/// read as the rest of the cursor's priority and then the lower priorities, so that both start where the index says.
/// Read as one scan ordered across groups, the Queue of a million unassigned tickets cost a sort of all of them
/// (220-410 ms a page on the bench database, against 2-4 ms this way).
enum QueuePage {
    /// What follows `SELECT <ticket columns> FROM tickets`, and its parameters; `groups` nil for every group.
    static func query(table: String, groups: [UUID]?, status: TicketStatus, page: PageRequest) throws -> (String, PostgresBindings) {
        var parameters = QueryConditions()
        let chosen = parameters.bind(groups.map { Array(Set($0)) })
        let limit = parameters.bind(page.limit + 1)
        let queued = status == .active
            ? "agent_id IS NULL AND status = 'active' AND deleted_at IS NULL"
            : "agent_id IS NULL AND status <> 'active' AND status = ANY(\(parameters.bind(status.listed.map(\.rawValue)))) AND deleted_at IS NULL"
        let ofGroup = "SELECT id, priority, created_at FROM \(table) WHERE group_id = g.id AND \(queued)"
        let next: String
        if let cursor = try parameters.bind(page.cursor, as: [.integer, .timestamp, .uuid]) {
            let (priority, created, id) = (cursor[0], cursor[1], cursor[2])
            next = """
                (\(ofGroup) AND priority = \(priority) AND (created_at, id) > (\(created)::timestamptz, \(id)::uuid) ORDER BY created_at, id LIMIT \(limit))
                UNION ALL
                (\(ofGroup) AND priority < \(priority) ORDER BY priority DESC, created_at, id LIMIT \(limit))
                """
        } else {
            next = "\(ofGroup) ORDER BY priority DESC, created_at, id LIMIT \(limit)"
        }
        let sql = """
            WHERE id = ANY(ARRAY(
                SELECT q.id FROM unnest(coalesce(\(chosen)::uuid[], ARRAY(
                    WITH RECURSIVE queued(id) AS (
                        (SELECT group_id FROM \(table) WHERE \(queued) ORDER BY group_id LIMIT 1)
                        UNION ALL
                        SELECT (SELECT group_id FROM \(table) WHERE \(queued) AND group_id > queued.id ORDER BY group_id LIMIT 1)
                        FROM queued WHERE queued.id IS NOT NULL)
                    SELECT id FROM queued WHERE id IS NOT NULL))) AS g(id)
                CROSS JOIN LATERAL (\(next)) q
                ORDER BY q.priority DESC, q.created_at, q.id LIMIT \(limit)))
            ORDER BY priority DESC, created_at, id LIMIT \(limit)
            """
        return (sql, parameters.binds)
    }
}
