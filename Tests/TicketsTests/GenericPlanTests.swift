import Contracts
import Database
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit
import Testing
import TestSupport

@testable import TicketsApp

/// The timers', the index rebuild's and the lists' and searches' statements over many tickets, with the generic plans every service query gets
/// (``DatabaseURL``): each reads what it claims, not the whole table.
@Suite("Generic plans over many tickets", .serialized, .enabled(if: TestEnvironment.hasDatabase), .timeLimit(.minutes(10)))
struct GenericPlanTests {
    /// One ticket submitted through the API, then `copies` more like it (new ids and numbers, idle since now), analysed.
    static func manyTickets(_ copies: Int, _ body: @escaping @Sendable (TicketTestKit, String) async throws -> Void) async throws {
        try await TicketTestKit.run(countsKept: false) { client, kit in
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let tickets = kit.database.table("tickets")
            try await kit.database.copyRows(
                of: tickets, where: "r.id = '\(id)'", copies: copies,
                changing: ["number": "r.number || '-' || n", "idle_since": "now()", "awaiting_since": "now()", "created_at": "now()"])
            try await body(kit, id)
        }
    }

    @Test("Raising an idle alert reads the tickets it raises, not every ticket")
    func timingAlertReadsItsBatch() async throws {
        try await Self.manyTickets(20_000) { kit, id in
            try await kit.database.client.query(PostgresQuery(unsafeSQL: """
                UPDATE \(kit.database.table("tickets")) SET awaiting_since = now() - interval '2 hours' WHERE id = '\(id)'
                """), logger: kit.database.logger).consume()
            let sql = kit.api.store.raiseSQL(.idle, to: TimingThreshold(level: 1, minutes: 60))
            let read = try await QueryPlan.explain(sql, values: ["now() - interval '1 hour'", "200"], on: kit.database).rowsRead(from: "tickets")
            #expect((1...10).contains(read), "raising one alert read \(read) ticket rows")
        }
    }

    @Test("Each batch of an index rebuild reads its thousand tickets, not every ticket before them")
    func rebuildBatchReadsItsTickets() async throws {
        try await Self.manyTickets(20_000) { kit, _ in
            let rows = try await kit.database.client.query(
                PostgresQuery(unsafeSQL: "SELECT id FROM \(kit.database.table("tickets")) ORDER BY id OFFSET 15000 LIMIT 1"), logger: kit.database.logger)
            var after = ""
            for try await id in rows.decode(UUID.self) { after = id.lowercased }
            let sql = "SELECT id FROM \(kit.database.table("tickets")) \(TicketIndexer.rebuildBatch)"
            let plan = try await QueryPlan.explain(sql, values: ["'\(after)'::uuid"], on: kit.database)
            #expect(plan.indexConditions(on: "tickets").contains { $0.contains("id >") }, "the batch starts at its cursor in the index")
            #expect(try plan.rowsRead(from: "tickets") <= 3_000)
        }
    }

    /// The plan of an advanced search without text for `criteria`, whose parameters take `values` in the order the
    /// search binds them.
    static func searchPlan(_ kit: TicketTestKit, _ criteria: TicketSearchCriteria, caller: TicketCaller, values: [String]) async throws -> QueryPlan {
        let (tail, _) = TicketSearch.structuredTail(criteria, caller: caller, tables: kit.database.table)
        return try await QueryPlan.explain("SELECT \(TicketStore.columns) FROM \(kit.database.table("tickets")) \(tail)", values: values, on: kit.database)
    }

    static func caller(roles: [String], groups: Set<String> = []) -> TicketCaller {
        TicketCaller(principal: TicketTestKit.principal(UUID(), roles: roles), groups: groups, departments: [])
    }

    @Test("An advanced search by e-mail address reads that customer's tickets, not every ticket the agent may see")
    func searchByEmailReadsTheCustomersTickets() async throws {
        try await Self.manyTickets(20_000) { kit, id in
            let tickets = kit.database.table("tickets")
            try await kit.database.run([
                "UPDATE \(tickets) SET customer_email = CASE WHEN id = '\(id)' THEN 'Rare@Example.com' ELSE md5(number) || '@example.com' END",
                "ANALYZE \(tickets)",
            ])
            let rows = try await kit.database.client.query(PostgresQuery(unsafeSQL: "SELECT group_id FROM \(tickets) WHERE id = '\(id)'"), logger: kit.database.logger)
            var group = ""
            for try await found in rows.decode(UUID.self) { group = found.lowercased }
            let criteria = TicketSearchCriteria(email: "rare@example.com")
            let values = ["ARRAY['\(group)']::uuid[]", "'{}'::uuid[]", "'rare@example.com'", "50"]
            let plan = try await Self.searchPlan(kit, criteria, caller: Self.caller(roles: ["Agent"], groups: [group]), values: values)
            #expect(try plan.rowsRead(from: "tickets") <= 10)
        }
    }

    @Test("An advanced search by date range reads the tickets created in it")
    func searchByDateRangeReadsTheRange() async throws {
        try await Self.manyTickets(20_000) { kit, id in
            let tickets = kit.database.table("tickets")
            try await kit.database.run(["UPDATE \(tickets) SET created_at = '2020-01-01T12:00:00Z' WHERE id = '\(id)'", "ANALYZE \(tickets)"])
            var criteria = TicketSearchCriteria()
            criteria.createdFrom = Date(timeIntervalSince1970: 1_577_836_800)
            criteria.createdTo = Date(timeIntervalSince1970: 1_577_923_200)
            let values = ["'2020-01-01T00:00:00Z'::timestamptz", "'2020-01-02T00:00:00Z'::timestamptz", "50"]
            let plan = try await Self.searchPlan(kit, criteria, caller: Self.caller(roles: ["Administrator"]), values: values)
            #expect(try plan.rowsRead(from: "tickets") <= 10)
        }
    }

    @Test("Everyone's Queue reads a page per group, not every unassigned ticket, on its first page and deep into it")
    func queueReadsAPagePerGroup() async throws {
        try await Self.manyTickets(20_000) { kit, _ in
            let tickets = kit.database.table("tickets")
            try await kit.database.run(["UPDATE \(tickets) SET agent_id = NULL, status = 'active', counts_toward_max = false", "ANALYZE \(tickets)"])
            func plan(after cursor: Cursor?, _ values: [String]) async throws -> Int {
                let (tail, _) = try QueuePage.query(table: tickets, groups: nil, status: .active, page: PageRequest(limit: 50, cursor: cursor))
                return try await QueryPlan.explain("SELECT \(TicketStore.columns) FROM \(tickets) \(tail)", values: values, on: kit.database)
                    .rowsRead(from: "tickets")
            }
            #expect(try await plan(after: nil, ["NULL", "51"]) <= 200)
            let rows = try await kit.database.client.query(
                PostgresQuery(unsafeSQL: "SELECT priority, created_at::text, id FROM \(tickets) ORDER BY priority DESC, created_at, id OFFSET 15000 LIMIT 1"),
                logger: kit.database.logger)
            var deep = (priority: 0, created: "", id: "")
            for try await (priority, created, id) in rows.decode((Int, String, UUID).self) { deep = (priority, created, id.lowercased) }
            let cursor = Cursor(keys: [String(deep.priority), KeysetTimestamp(Date()).cursorKey, deep.id])
            let read = try await plan(after: cursor, ["NULL", "51", "\(deep.priority)", "'\(deep.created)'::timestamptz", "'\(deep.id)'::uuid"])
            #expect(read <= 300, "a page 12,000 tickets deep read \(read) ticket rows")
        }
    }

    @Test("An agent's Queue sorted by subject reads their group's unassigned tickets, not every group's")
    func sortedQueueReadsItsGroups() async throws {
        try await Self.manyTickets(20_000) { kit, _ in
            let tickets = kit.database.table("tickets")
            try await kit.database.run([
                """
                UPDATE \(tickets) SET agent_id = NULL, status = 'active', counts_toward_max = false,
                    group_id = CASE WHEN hashtext(number) % 100 = 0 THEN group_id ELSE gen_random_uuid() END
                """,
                "ANALYZE \(tickets)",
            ])
            let statement = SortedViewStatement(target: .queue, sort: ViewSort(key: .subject, order: .ascending), listsTwo: false)
            let values = ["ARRAY['\(kit.frontLineID.lowercased)']::uuid[]", "'active'", "NULL", "NULL", "NULL", "51"]
            let read = try await QueryPlan.explain(statement.sql(schema: kit.database.schema), values: values, on: kit.database).rowsRead(from: "tickets")
            #expect(read <= 1_000, "the Queue of a group with a few hundred of 20,000 unassigned tickets read \(read) ticket rows")
        }
    }

    @Test("A task search by agent reads that agent's tasks, not every task")
    func taskSearchByAgentReadsTheirTasks() async throws {
        try await TicketTestKit.run(countsKept: false) { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let (created, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks", token: token, body: #"{"subject":"Stock check"}"#)
            #expect(created == .created)
            let tasks = kit.database.table("tasks")
            try await kit.database.copyRows(of: tasks, copies: 20_000, changing: ["agent_id": "gen_random_uuid()"])
            var criteria = TaskSearchCriteria()
            criteria.agentID = agent
            let (tail, _) = kit.api.store.taskSearch(criteria, visibility: TaskVisibility(everything: true, me: nil))
            let plan = try await QueryPlan.explain(
                "SELECT \(TicketStore.taskColumns) FROM \(tasks) \(tail)", values: ["'\(agent.lowercased)'::uuid", "100"], on: kit.database)
            let read = try plan.rowsRead(from: "tasks")
            #expect(read <= 10, "the agent's one task of 20,001 read \(read) task rows")
        }
    }

    @Test("A customer's own list reads their tickets, not every ticket newest first")
    func customerListReadsTheirTickets() async throws {
        try await Self.manyTickets(20_000) { kit, id in
            let tickets = kit.database.table("tickets")
            try await kit.database.run([
                """
                UPDATE \(tickets) SET customer_user_id = CASE WHEN id = '\(id)' THEN customer_user_id ELSE gen_random_uuid() END,
                    customer_email = CASE WHEN id = '\(id)' THEN customer_email ELSE md5(number) || '@example.com' END
                """,
                "ANALYZE \(tickets)",
            ])
            let rows = try await kit.database.client.query(
                PostgresQuery(unsafeSQL: "SELECT customer_user_id, lower(customer_email) FROM \(tickets) WHERE id = '\(id)'"), logger: kit.database.logger)
            var customer = (user: "", email: "")
            for try await (user, email) in rows.decode((UUID, String).self) { customer = (user.lowercased, email) }
            let (tail, _) = try CustomerTicketList.tail(
                tickets: tickets, participants: kit.database.table("ticket_participants"), user: UUID(parsing: customer.user),
                verifiedEmail: customer.email, subjectContaining: nil, page: PageRequest(limit: 20))
            let plan = try await QueryPlan.explain(
                "SELECT \(TicketStore.columns) FROM \(tickets) \(tail)", values: ["'\(customer.user)'::uuid", "'\(customer.email)'", "21"], on: kit.database)
            let read = try plan.rowsRead(from: "tickets")
            #expect(read <= 10, "the customer's list of one ticket read \(read) ticket rows")
        }
    }

    /// The parameters, as SQL literals, of the page after the ticket 12,000 deep into one scope's list in `order`: the
    /// scope (`scope` names its column), the status, the sort key (`key`, a number unless `quoted`), the idle time and
    /// the id of that ticket, and a limit of 51.
    /// The copies' priorities, subjects and idle times are spread first, so that the page after the cursor holds both the
    /// rest of its value and the values after it.
    static func deepCursor(_ kit: TicketTestKit, scope: String, key: String, quoted: Bool, order: String) async throws -> [String] {
        let tickets = kit.database.table("tickets")
        try await kit.database.run([
            """
            UPDATE \(tickets) SET priority = (hashtext(number) & 3) % 4, subject = 'Subject ' || ((hashtext(number) >> 4) & 15),
                idle_since = idle_since - ((hashtext(number) >> 8) & 1023) * interval '1 second'
            """,
            "ANALYZE \(tickets)",
        ])
        let rows = try await kit.database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT \(scope)::text, status, (\(key))::text, idle_since::text, id::text FROM \(kit.database.table("tickets"))
                WHERE deleted_at IS NULL ORDER BY \(order) OFFSET 12000 LIMIT 1
                """), logger: kit.database.logger)
        var values: [String] = []
        for try await (scoped, status, value, idle, id) in rows.decode((String, String, String, String, String).self) {
            values = ["'\(scoped)'::uuid", "'\(status)'", quoted ? "'\(value)'" : value, "'\(idle)'::timestamptz", "'\(id)'::uuid", "51"]
        }
        return values
    }

    @Test("A page deep into a group's list reads about a page, not every ticket before it")
    func deepViewPageReadsAPage() async throws {
        try await Self.manyTickets(20_000) { kit, _ in
            let values = try await Self.deepCursor(kit, scope: "group_id", key: "priority", quoted: false, order: "priority DESC, idle_since, id")
            for writesJSON in [false, true] {
                let sql = ScopedViewStatement.sql(schema: kit.database.schema, scope: .group, listsTwo: false, after: true, writesJSON: writesJSON)
                let read = try await QueryPlan.explain(sql, values: values, on: kit.database).rowsRead(from: "tickets")
                #expect(read <= 300, "a page 12,000 tickets deep read \(read) ticket rows (writing JSON: \(writesJSON))")
            }
        }
    }

    @Test("A page deep into a department's list sorted by subject reads about a page, not every ticket before it")
    func deepSortedViewPageReadsAPage() async throws {
        try await Self.manyTickets(20_000) { kit, _ in
            let values = try await Self.deepCursor(
                kit, scope: "department_id", key: "lower(subject)", quoted: true, order: "lower(subject), idle_since, id")
            var statement = SortedViewStatement(target: .scope(.department), sort: ViewSort(key: .subject, order: .ascending), listsTwo: false)
            statement.followsCursor = statement.indexOrdersPages
            let read = try await QueryPlan.explain(statement.sql(schema: kit.database.schema), values: values, on: kit.database).rowsRead(from: "tickets")
            #expect(read <= 300, "a page 12,000 tickets deep read \(read) ticket rows")
        }
    }
}
