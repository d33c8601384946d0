import Contracts
import Database
import PostgresNIO

/// The page of a list scoped to one agent, group, department or brand, or to many departments or brands (All Tickets),
/// with that scope's Active/Waiting/Closed counts: as a row of columns a ticket, the counts riding as three columns on
/// every row (alone on one row of NULL ticket columns when the page is empty), or as one row of the tickets' JSON
/// (``writesJSON``).
///
/// Prepared once per connection: planning this statement cost PostgreSQL more than running it (pgbench, 8 clients:
/// 2,500 executions/s planned each time, 7,500/s prepared). postgres-nio names a prepared statement by its type and
/// wants its SQL static, so there is one type per scope and the SQL names the service's own schema; a ``Database``
/// on another schema runs the same text unprepared.
struct ScopedViewStatement {
    enum Scope: String, CaseIterable {
        case agent, group, department, brand
        /// All Tickets: the departments in `$1` (a manager's), or the brands in `$1` (every brand with tickets when
        /// NULL: those who see everything). Each one's page is read on its own, in its index's order, and the pages
        /// merged, so the list costs a page per department or brand however many tickets they hold.
        case departments, brands

        /// Its place in `allCases`.
        var ordinal: Int {
            switch self {
            case .agent: 0
            case .group: 1
            case .department: 2
            case .brand: 3
            case .departments: 4
            case .brands: 5
            }
        }

        /// The one scope whose maintained counts and index the list reads (for many, each one's).
        var single: Scope {
            switch self {
            case .departments: .department
            case .brands: .brand
            case .agent, .group, .department, .brand: self
            }
        }

        var column: String { single.rawValue + "_id" }

        var isMany: Bool { self != single }

        /// The condition on a ticket of the scope's page: the id in `$1`, or for many the one being read.
        var match: String { isMany ? "\(column) = scoped.scope_id" : "\(column) = $1" }

        var bindingType: PostgresDataType { isMany ? .uuidArray : .uuid }
    }

    let scope: Scope
    /// Whether the page lists a second status (`$7`): the Closed tab (``TicketStatus/listedWith``). The other tabs
    /// keep the one-status statement: a second, empty branch cost a tenth of pgbench's rate at 8 clients.
    let listsTwo: Bool
    /// Whether the page follows a cursor: a statement of its own, which reads each status as the rest of the cursor's
    /// priority and then the lower priorities, both from where the index says. The first page's condition on the
    /// cursor (`$3 IS NULL OR (-priority, idle_since, id) > …`) cannot bound the index scan, so a page that deep into a
    /// brand read every ticket before it (378 ms 500,000 tickets into a brand on the bench database).
    let after: Bool
    /// Whether the page comes as one row of its tickets' JSON (``TicketListJSON``) rather than a row of columns a
    /// ticket: the counts, the JSON objects of the first `$6 - 1` tickets joined by commas, how many tickets were read,
    /// and the sort keys of the last ticket of the page (for its cursor). One row: each row PostgresNIO hands over
    /// cost the tickets process about 3 µs however few its cells.
    let writesJSON: Bool
    /// `$1` the scope's id (for many, their ids), `$2` the status, `$3`–`$5` the cursor's priority, idle time and id (NULL for the first
    /// page), `$6` the limit, and with ``listsTwo`` `$7` the status listed with `$2`.
    let binds: PostgresBindings

    /// The scope's Active/Waiting/Closed counts as the common table `counts`, for the scope's id in `$1`.
    static func counts(schema: String, scope: Scope) -> String {
        """
        counts AS (
            SELECT coalesce(sum(n) FILTER (WHERE status = 'active'), 0)::integer AS counted_active,
                   coalesce(sum(n) FILTER (WHERE status = 'waiting'), 0)::integer AS counted_waiting,
                   coalesce(sum(n) FILTER (WHERE status IN ('closed', 'closed_locked')), 0)::integer AS counted_closed
            FROM "\(schema)".ticket_counts
            WHERE scope = '\(scope.single.rawValue)' AND \(scope.isMany ? "($1::uuid[] IS NULL OR scope_id = ANY($1))" : "scope_id = $1")
        )
        """
    }

    /// `page`, the SQL of one scope id's page (filtering by ``Scope/match``), as it is; for many, run for each id in
    /// `$1` (NULL: every one counted) and the pages merged in `order`, at most `$6`.
    static func across(_ scope: Scope, schema: String, order: String, _ page: String) -> String {
        guard scope.isMany else { return page }
        return """
            SELECT listed.* FROM unnest(coalesce($1::uuid[], ARRAY(
                SELECT DISTINCT scope_id FROM "\(schema)".ticket_counts WHERE scope = '\(scope.single.rawValue)'))) scoped(scope_id)
            CROSS JOIN LATERAL (\(page)) listed
            ORDER BY \(order) LIMIT $6
            """
    }

    static func sql(schema: String, scope: Scope, listsTwo: Bool, after: Bool = false, writesJSON: Bool = false) -> String {
        let order = "priority DESC, idle_since, id"
        let page = across(scope, schema: schema, order: order, statuses(listsTwo: listsTwo, order: order) { status in
            let tickets = """
                SELECT \(writesJSON ? jsonColumns : TicketStore.columns) FROM "\(schema)".tickets
                WHERE \(scope.match) AND status = \(status) AND deleted_at IS NULL
                """
            guard after else {
                return """
                    \(tickets)
                      AND ($3::integer IS NULL OR (-priority, idle_since, id) > (-$3::integer, $4::timestamptz, $5::uuid))
                    ORDER BY priority DESC, idle_since, id LIMIT $6
                    """
            }
            return afterCursor(tickets, value: "priority", cursor: "$3::integer", beyond: "<", leading: "priority DESC, ", order: order)
        })
        guard writesJSON else {
            return """
                WITH \(counts(schema: schema, scope: scope)), page AS (\(page))
                SELECT page.*, counts.* FROM counts LEFT JOIN page ON true ORDER BY page.priority DESC, page.idle_since, page.id
                """
        }
        return """
            WITH \(counts(schema: schema, scope: scope)), page AS (\(page)),
            numbered AS (SELECT page.*, row_number() OVER (ORDER BY priority DESC, idle_since, id) AS n FROM page)
            SELECT counts.*, listed.* FROM counts CROSS JOIN LATERAL (
                SELECT string_agg(list_json, ',' ORDER BY n) FILTER (WHERE n < $6) AS objects, count(*)::integer AS fetched,
                       max(priority) FILTER (WHERE n = $6 - 1) AS last_priority, max(idle_since) FILTER (WHERE n = $6 - 1) AS last_idle_since,
                       (array_agg(id) FILTER (WHERE n = $6 - 1))[1] AS last_id
                FROM numbered) listed
            """
    }

    /// What ``writesJSON`` reads of a ticket: its JSON object (``TicketListJSON``) and its sort keys.
    static let jsonColumns = "tickets.id, list_json, priority, idle_since"

    /// The page after a cursor (`cursor` the sort value, `$4`/`$5` idle time and id, `$6` the limit) of `tickets` (a
    /// SELECT with its conditions) in `order`: the rest of the cursor's value (`value = cursor`, then idle time and id) and
    /// the values beyond it (`value <beyond> cursor`, in `leading` order), each read from where the index says, merged.
    /// Written as one condition, `(value, idle_since, id)` after the cursor's, it could not bound the index scan.
    static func afterCursor(_ tickets: String, value: String, cursor: String, beyond: String, leading: String, order: String) -> String {
        """
        SELECT * FROM (
            (\(tickets) AND \(value) = \(cursor) AND (idle_since, tickets.id) > ($4::timestamptz, $5::uuid) ORDER BY idle_since, tickets.id LIMIT $6)
            UNION ALL
            (\(tickets) AND \(value) \(beyond) \(cursor) ORDER BY \(leading)idle_since, tickets.id LIMIT $6)) rest
        ORDER BY \(order) LIMIT $6
        """
    }

    /// A page of the tickets of status `$2`, and with `listsTwo` of `$7` too, in `order`, at most `$6`: each status read
    /// on its own in its index's order and the two merged, where one scan of `status IN (…)` would sort every ticket
    /// of both.
    static func statuses(listsTwo: Bool, order: String, _ select: (_ status: String) -> String) -> String {
        guard listsTwo else { return select("$2") }
        return "SELECT * FROM ((\(select("$2"))) UNION ALL (\(select("$7::text")))) listed ORDER BY \(order) LIMIT $6"
    }

    func run(on database: Database) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow> {
        guard database.schema == ServiceName.tickets.schema else {
            let rows = try await database.client.query(
                PostgresQuery(
                    unsafeSQL: Self.sql(schema: database.schema, scope: scope, listsTwo: listsTwo, after: after, writesJSON: writesJSON), binds: binds),
                logger: database.logger)
            return rows.map { $0 }
        }
        return switch scope {
        case .agent: try await execute(AgentScope.self, on: database)
        case .group: try await execute(GroupScope.self, on: database)
        case .department: try await execute(DepartmentScope.self, on: database)
        case .brand: try await execute(BrandScope.self, on: database)
        case .departments: try await execute(DepartmentsScope.self, on: database)
        case .brands: try await execute(BrandsScope.self, on: database)
        }
    }

    private func execute<S: StaticScope>(
        _ scope: S.Type, on database: Database
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow> {
        writesJSON ? try await execute(S.self, WrittenRows.self, on: database) : try await execute(S.self, ColumnRows.self, on: database)
    }

    private func execute<S: StaticScope, R: StaticRows>(
        _ scope: S.Type, _ rows: R.Type, on database: Database
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow> {
        switch (listsTwo, after) {
        case (false, false): return try await database.client.execute(Prepared<S, OneStatus, FirstPage, R>(binds: binds), logger: database.logger)
        case (true, false): return try await database.client.execute(Prepared<S, TwoStatuses, FirstPage, R>(binds: binds), logger: database.logger)
        case (false, true): return try await database.client.execute(Prepared<S, OneStatus, LaterPage, R>(binds: binds), logger: database.logger)
        case (true, true): return try await database.client.execute(Prepared<S, TwoStatuses, LaterPage, R>(binds: binds), logger: database.logger)
        }
    }

    /// One scope as a type, for the statement's static name and SQL.
    protocol StaticScope: Sendable { static var scope: Scope { get } }
    enum AgentScope: StaticScope { static var scope: Scope { .agent } }
    enum GroupScope: StaticScope { static var scope: Scope { .group } }
    enum DepartmentScope: StaticScope { static var scope: Scope { .department } }
    enum BrandScope: StaticScope { static var scope: Scope { .brand } }
    enum DepartmentsScope: StaticScope { static var scope: Scope { .departments } }
    enum BrandsScope: StaticScope { static var scope: Scope { .brands } }

    /// One status or two as a type, likewise.
    protocol StaticListing: Sendable { static var listsTwo: Bool { get } }
    enum OneStatus: StaticListing { static var listsTwo: Bool { false } }
    enum TwoStatuses: StaticListing { static var listsTwo: Bool { true } }

    /// The first page or a later one as a type, likewise.
    protocol StaticPage: Sendable { static var after: Bool { get } }
    enum FirstPage: StaticPage { static var after: Bool { false } }
    enum LaterPage: StaticPage { static var after: Bool { true } }

    /// The tickets' columns or their JSON as a type, likewise.
    protocol StaticRows: Sendable { static var writesJSON: Bool { get } }
    enum ColumnRows: StaticRows { static var writesJSON: Bool { false } }
    enum WrittenRows: StaticRows { static var writesJSON: Bool { true } }

    struct Prepared<S: StaticScope, L: StaticListing, P: StaticPage, R: StaticRows>: PostgresPreparedStatement {
        typealias Row = PostgresRow
        static var name: String { text.name }
        static var sql: String { text.sql }
        static var bindingDataTypes: [PostgresDataType] { text.types }
        static var text: PreparedText { PreparedText.of(S.scope, listsTwo: L.listsTwo, after: P.after, writesJSON: R.writesJSON) }
        let binds: PostgresBindings

        func makeBindings() -> PostgresBindings { binds }
        func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
    }
}
