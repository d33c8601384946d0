/// The Queue's page in its standard order (highest priority, then oldest first): the unassigned tickets of one status
/// tab in the caller's groups, or in every group for those who see everything.
///
/// Each group's first page comes from the queue indexes (`tickets_queue` for Active, `tickets_queue_other` for the
/// other tabs; both lead with the group), and only those are sorted together: a page reads at most a page per group.
/// Everyone's Queue takes its groups from the same index, one probe per group that has queued tickets. Read as one
/// scan ordered across groups, the Queue of a million unassigned tickets cost a sort of all of them (220-410 ms a
/// page on the bench database, against 2-4 ms this way).
enum QueuePage {
    /// Binds: `$1` the groups (NULL: every group), `$2` the limit, `$3` the tab's statuses, and after a cursor `$4`–`$6`
    /// its priority, creation time and id (a parameter no statement text uses must not be sent: postgres-nio sends
    /// NULL without a type). Follows `SELECT <ticket columns> FROM tickets`.
    static func tail(table: String, status: TicketStatus, after cursor: Bool) -> String {
        let queued = status == .active
            ? "agent_id IS NULL AND status = 'active' AND deleted_at IS NULL"
            : "agent_id IS NULL AND status <> 'active' AND status = ANY($3) AND deleted_at IS NULL"
        let after = cursor ? " AND priority <= $4 AND (priority < $4 OR (created_at, id) > ($5::timestamptz, $6::uuid))" : ""
        return """
            WHERE id = ANY(ARRAY(
                SELECT q.id FROM unnest(coalesce($1::uuid[], ARRAY(
                    WITH RECURSIVE queued(id) AS (
                        (SELECT group_id FROM \(table) WHERE \(queued) ORDER BY group_id LIMIT 1)
                        UNION ALL
                        SELECT (SELECT group_id FROM \(table) WHERE \(queued) AND group_id > queued.id ORDER BY group_id LIMIT 1)
                        FROM queued WHERE queued.id IS NOT NULL)
                    SELECT id FROM queued WHERE id IS NOT NULL))) AS g(id)
                CROSS JOIN LATERAL (
                    SELECT id, priority, created_at FROM \(table)
                    WHERE group_id = g.id AND \(queued)\(after)
                    ORDER BY priority DESC, created_at, id LIMIT $2) q
                ORDER BY q.priority DESC, q.created_at, q.id LIMIT $2))
            ORDER BY priority DESC, created_at, id LIMIT $2
            """
    }
}
