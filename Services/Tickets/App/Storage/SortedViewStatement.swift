import Database

/// The page of a list scoped to one agent, group, department or brand (or All Tickets' many) in the order the agent chose (``ViewSort``),
/// with the scope's Active/Waiting/Closed counts as ``ScopedViewStatement`` reads them. Each row carries its sort
/// value twice after the ticket's columns: as SQL compares it (`sort_value`) and as its cursor writes it (`sort_key`,
/// a timestamp in whole microseconds since 2000 so that the next page starts exactly after it).
///
/// Departments and brands (tens of thousands of tickets a status) have an index for each sort by a column of the
/// ticket (subject, email address, duration, idle time, messages; status sorts by idle time): the first page and every
/// later one start where the index says, whichever the order (PostgreSQL reads an index backwards and sorts the few
/// tickets of one value by idle time as it goes). Messages, with few distinct values, are indexed most first, their
/// usual order; fewest first, like priority lowest first, sorts the scope's tickets. Agents' and groups' lists, and sorts by a name or a follow-up, are a
/// top-N sort of the scope's tickets of one status; names come from the directory copies tickets keeps of identity's
/// users, brands, departments and groups.
struct SortedViewStatement {
    /// What the list holds: one scope's tickets of one status with the scope's counts, or the Queue: the unassigned
    /// tickets of one status of the groups in `$1` (every group when NULL: ``queuedGroups(schema:)``), whose counts
    /// are read apart.
    enum Target {
        case scope(ScopedViewStatement.Scope)
        case queue
    }

    let target: Target
    let sort: ViewSort
    /// Whether the page lists a second status (`$7`, the Closed tab), as ``ScopedViewStatement/listsTwo``.
    let listsTwo: Bool
    /// Whether the page follows a cursor in a list an index orders (``indexOrdersPages``): then each status is read as
    /// the rest of the cursor's sort value and then the values after it, each from where the index says, as
    /// ``ScopedViewStatement/after`` (the first page's condition on the cursor left a page 50,000 tickets into a
    /// department sorted by subject reading all of them, 112 ms).
    var followsCursor = false

    /// Whether an index orders the list's pages: a department's or brand's (or many), by a column of the ticket. Only
    /// then does a later page read the rest of the cursor's value and the values after it apart (``followsCursor``);
    /// elsewhere each of the two would sort the list's tickets again (a helper measured 1.2-1.5 times the rows).
    var indexOrdersPages: Bool {
        guard case .scope(let scope) = target, [.department, .brand].contains(scope.single) else { return false }
        return [.status, .priority, .email, .subject, .idle, .duration, .messages].contains(sort.key)
    }

    /// Columns ahead of the counts: the ticket's, `sort_value` and `sort_key`.
    static let columnsBeforeCounts = TicketStore.columnCount + 2

    /// Binds: `$1` the scope's id (the Queue: its groups), `$2` the status, `$3`–`$5` the cursor's sort value, idle time
    /// and id (NULL for the first page), `$6` the limit, and with ``listsTwo`` `$7` the status listed with `$2`.
    func sql(schema: String) -> String {
        let direction = sort.storedOrder == .ascending ? "ASC" : "DESC"
        let (from, after) = sort.storedOrder == .ascending ? (">=", ">") : ("<=", "<")
        let (counts, filter, result) = switch target {
        case .scope(let scope):
            ("\(ScopedViewStatement.counts(schema: schema, scope: scope)), ", scope.match, "page.*, counts.* FROM counts LEFT JOIN page ON true")
        case .queue: ("", "agent_id IS NULL AND group_id = ANY(coalesce($1::uuid[], \(Self.queuedGroups(schema: schema))))", "page.* FROM page")
        }
        let order = "sort_value \(direction), idle_since, id"
        var scope: ScopedViewStatement.Scope?
        if case .scope(let scoped) = target { scope = scoped }
        let page = ScopedViewStatement.statuses(listsTwo: listsTwo, order: order) { status in
            // Each branch reads one status, so its status sort value is its bind's: a condition on the cursor without
            // a column, which PostgreSQL checks once, and an order left to idle time (and the idle time index).
            let value = Self.value(sort, schema: schema, status: status)
            let leading = sort.key == .status ? "" : "\(value) \(direction), "
            let (cursorType, key) = switch sort.valueKind {
            case .integer: ("bigint", "(\(value))::bigint")
            case .text: ("text", value)
            case .timestamp: ("timestamptz", "(extract(epoch FROM (\(value)) - timestamptz '2000-01-01 00:00:00+00') * 1000000)::bigint::text")
            }
            let tickets = """
                SELECT \(TicketStore.columns), \(value) AS sort_value, \(key)::text AS sort_key FROM "\(schema)".tickets
                WHERE \(filter) AND status = \(status) AND deleted_at IS NULL
                """
            guard followsCursor else {
                return """
                    \(tickets)
                      AND ($3::\(cursorType) IS NULL OR (\(value) \(from) $3::\(cursorType)
                           AND (\(value) \(after) $3::\(cursorType) OR (idle_since, tickets.id) > ($4::timestamptz, $5::uuid))))
                    ORDER BY \(leading)idle_since, tickets.id LIMIT $6
                    """
            }
            return ScopedViewStatement.afterCursor(tickets, value: value, cursor: "$3::\(cursorType)", beyond: after, leading: leading, order: order)
        }
        return """
            WITH \(counts)page AS (\(scope.map { ScopedViewStatement.across($0, schema: schema, order: order, page) } ?? page))
            SELECT \(result) ORDER BY page.sort_value \(direction), page.idle_since, page.id
            """
    }

    /// Every group that has had a ticket in the Queue, from the Queue's counts (a row per group and status once one was
    /// queued there), for those who see every group's Queue. The groups are always a list, so that the group index serves
    /// the Queue of two groups: as `$1 IS NULL OR group_id = ANY($1)` the generic plan scanned every unassigned
    /// ticket (428 ms for two groups on the bench database, against 30-60 ms).
    static func queuedGroups(schema: String) -> String {
        "ARRAY(SELECT DISTINCT scope_id FROM \"\(schema)\".ticket_counts WHERE scope = 'queue')"
    }

    /// Where the scope's counts start in each row; the Queue's rows carry none.
    var countsAt: Int? {
        if case .queue = target { return nil }
        return Self.columnsBeforeCounts
    }

    /// The value the list is ordered by, as SQL over the tickets table. A ticket without a follow-up sorts after those
    /// with one either way; a missing name sorts as an empty one.
    static func value(_ sort: ViewSort, schema: String, status: String = "tickets.status") -> String {
        func name(_ table: String, _ column: String, of idColumn: String) -> String {
            "lower(coalesce((SELECT \(column) FROM \"\(schema)\".\(table) named WHERE named.id = tickets.\(idColumn)), ''))"
        }
        return switch sort.key {
        case .status: "CASE \(status) WHEN 'active' THEN 0 WHEN 'waiting' THEN 1 WHEN 'closed' THEN 2 ELSE 3 END"
        case .priority: "tickets.priority"
        case .email: "lower(tickets.customer_email)"
        case .subject: "lower(tickets.subject)"
        case .name:
            "lower(coalesce((SELECT display_name FROM \"\(schema)\".users named WHERE named.id = tickets.customer_user_id), tickets.customer_email))"
        case .brand: name("brands", "name", of: "brand_id")
        case .department: name("departments", "name", of: "department_id")
        case .group: name("groups", "name", of: "group_id")
        case .agent: name("users", "display_name", of: "agent_id")
        case .idle: "tickets.idle_since"
        case .duration: "tickets.created_at"
        case .followUp:
            "coalesce(tickets.follow_up_at, timestamptz '\(sort.storedOrder == .ascending ? "9999-12-31" : "0001-01-01") 00:00:00+00')"
        case .messages: "(tickets.messages_in + tickets.messages_out)"
        case .survey: "0"
        }
    }

    /// The cursor's shape: the sort value, then idle time and id.
    var cursorShape: [KeysetCursor.Key] {
        let first: KeysetCursor.Key = switch sort.valueKind {
        case .integer: .integer
        case .timestamp: .timestamp
        case .text: .text
        }
        return [first, .timestamp, .uuid]
    }
}
