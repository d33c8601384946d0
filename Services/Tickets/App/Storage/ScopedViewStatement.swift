import Contracts
import Database
import PostgresNIO

/// The page of a list scoped to one agent, group, department or brand, with that scope's Active/Waiting/Closed counts
/// riding as three columns on every row (alone on one row of NULL ticket columns when the page is empty).
///
/// Prepared once per connection: planning this statement cost PostgreSQL more than running it (pgbench, 8 clients:
/// 2,500 executions/s planned each time, 7,500/s prepared). postgres-nio names a prepared statement by its type and
/// wants its SQL static, so there is one type per scope and the SQL names the service's own schema; a ``Database``
/// on another schema runs the same text unprepared.
struct ScopedViewStatement {
    enum Scope: String {
        case agent, group, department, brand

        var column: String { rawValue + "_id" }
    }

    let scope: Scope
    /// `$1` the scope's id, `$2` the status, `$3`–`$5` the cursor's priority, idle time and id (NULL for the first
    /// page), `$6` the limit, `$7` the status listed with `$2` (``TicketStatus/listedWith``) or NULL.
    let binds: PostgresBindings

    /// The scope's Active/Waiting/Closed counts as the common table `counts`, for the scope's id in `$1`.
    static func counts(schema: String, scope: Scope) -> String {
        """
        counts AS (
            SELECT coalesce(sum(n) FILTER (WHERE status = 'active'), 0)::integer AS counted_active,
                   coalesce(sum(n) FILTER (WHERE status = 'waiting'), 0)::integer AS counted_waiting,
                   coalesce(sum(n) FILTER (WHERE status IN ('closed', 'closed_locked')), 0)::integer AS counted_closed
            FROM "\(schema)".ticket_counts WHERE scope = '\(scope.rawValue)' AND scope_id = $1
        )
        """
    }

    static func sql(schema: String, scope: Scope) -> String {
        let page = bothStatuses(order: "priority DESC, idle_since, id") { status in
            """
            SELECT \(TicketStore.columns) FROM "\(schema)".tickets
            WHERE \(scope.column) = $1 AND status = \(status) AND deleted_at IS NULL
              AND ($3::integer IS NULL OR (-priority, idle_since, id) > (-$3::integer, $4::timestamptz, $5::uuid))
            ORDER BY priority DESC, idle_since, id LIMIT $6
            """
        }
        return """
            WITH \(counts(schema: schema, scope: scope)), page AS (\(page))
            SELECT page.*, counts.* FROM counts LEFT JOIN page ON true ORDER BY page.priority DESC, page.idle_since, page.id
            """
    }

    /// A page of the tickets of status `$2` and of `$7` (NULL: none), in `order`, at most `$6`: each status read on its
    /// own in its index's order and the two merged, where one scan of `status IN (…)` would sort every ticket of both.
    static func bothStatuses(order: String, _ select: (_ status: String) -> String) -> String {
        "SELECT * FROM ((\(select("$2"))) UNION ALL (\(select("$7::text")))) listed ORDER BY \(order) LIMIT $6"
    }

    func run(on database: Database) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow> {
        guard database.schema == ServiceName.tickets.schema else {
            let rows = try await database.client.query(
                PostgresQuery(unsafeSQL: Self.sql(schema: database.schema, scope: scope), binds: binds), logger: database.logger)
            return rows.map { $0 }
        }
        switch scope {
        case .agent: return try await database.client.execute(Prepared<AgentScope>(binds: binds), logger: database.logger)
        case .group: return try await database.client.execute(Prepared<GroupScope>(binds: binds), logger: database.logger)
        case .department: return try await database.client.execute(Prepared<DepartmentScope>(binds: binds), logger: database.logger)
        case .brand: return try await database.client.execute(Prepared<BrandScope>(binds: binds), logger: database.logger)
        }
    }

    /// One scope as a type, for the statement's static name and SQL.
    protocol StaticScope: Sendable { static var scope: Scope { get } }
    enum AgentScope: StaticScope { static var scope: Scope { .agent } }
    enum GroupScope: StaticScope { static var scope: Scope { .group } }
    enum DepartmentScope: StaticScope { static var scope: Scope { .department } }
    enum BrandScope: StaticScope { static var scope: Scope { .brand } }

    struct Prepared<S: StaticScope>: PostgresPreparedStatement {
        typealias Row = PostgresRow
        static var name: String { "tickets_scoped_view_\(S.scope.rawValue)" }
        static var sql: String { ScopedViewStatement.sql(schema: ServiceName.tickets.schema, scope: S.scope) }
        static var bindingDataTypes: [PostgresDataType] { [.uuid, .text, .int8, .timestamptz, .uuid, .int8, .text] }
        let binds: PostgresBindings

        func makeBindings() -> PostgresBindings { binds }
        func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
    }
}
