import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import ServiceKit
import Testing
import TestSupport
import TicketsApp

@Suite("Sorting a ticket list")
struct ViewSortRulesTests {
    @Test("Without sort a list keeps priority first; a key alone takes its usual order; idle time and duration sort their timestamps the other way")
    func parsing() throws {
        #expect(try ViewSort.parse(sort: nil, order: nil) == .standard)
        #expect(try ViewSort.parse(sort: "subject", order: nil) == ViewSort(key: .subject, order: .ascending))
        #expect(try ViewSort.parse(sort: "idle", order: nil) == ViewSort(key: .idle, order: .descending))
        #expect(try ViewSort.parse(sort: "follow_up", order: "desc") == ViewSort(key: .followUp, order: .descending))
        #expect(ViewSort(key: .idle, order: .descending).storedOrder == .ascending, "the longest idle has the oldest idle time")
        #expect(ViewSort(key: .duration, order: .ascending).storedOrder == .descending)
        #expect(ViewSort(key: .subject, order: .descending).storedOrder == .descending)
    }

    @Test("An unknown key or order, an order without a key and survey results are refused", arguments: [
        ("colour", nil), ("subject", "up"), (nil, "asc"), ("survey", nil),
    ] as [(String?, String?)])
    func refused(sort: String?, order: String?) {
        #expect(throws: Problem.self) { try ViewSort.parse(sort: sort, order: order) }
    }
}

@Suite("Sorted ticket lists", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct ViewSortTests {
    /// What the test gives each ticket, and so the order each sort must produce.
    struct Row {
        var id = ""
        var priority: Int
        var subject: String
        var email: String
        var customerName: String?
        var agentName: String?
        var messages: Int
        var followUpMinutes: Int?
        var idleMinutes: Int
        var ageMinutes: Int
    }

    enum Value: Comparable {
        case number(Int)
        case text(String)
    }

    static let rows: [Row] = [
        Row(priority: 1, subject: "beta", email: "kim@x", customerName: "Mona", agentName: "Zed Agent", messages: 1, followUpMinutes: nil, idleMinutes: 5, ageMinutes: 100),
        Row(priority: 3, subject: "Alpha", email: "ann@x", customerName: nil, agentName: nil, messages: 4, followUpMinutes: 30, idleMinutes: 50, ageMinutes: 300),
        Row(priority: 1, subject: "beta", email: "lee@x", customerName: "carl", agentName: "amy agent", messages: 2, followUpMinutes: nil, idleMinutes: 15, ageMinutes: 200),
        Row(priority: 0, subject: "gamma", email: "ann@x", customerName: nil, agentName: "Zed Agent", messages: 2, followUpMinutes: 10, idleMinutes: 35, ageMinutes: 700),
        Row(priority: 2, subject: "alpha", email: "kim@x", customerName: "Bea", agentName: nil, messages: 1, followUpMinutes: 20, idleMinutes: 25, ageMinutes: 400),
        Row(priority: 3, subject: "Delta", email: "lee@x", customerName: nil, agentName: "amy agent", messages: 3, followUpMinutes: nil, idleMinutes: 45, ageMinutes: 600),
        Row(priority: 1, subject: "beta", email: "ann@x", customerName: nil, agentName: "Zed Agent", messages: 2, followUpMinutes: 10, idleMinutes: 60, ageMinutes: 500),
    ]

    /// The order a sort must list `rows` in: by the key's value, then the longest idle, then id.
    static func expected(_ rows: [Row], _ sort: ViewSort) -> [String] {
        let ascending = sort.order == .ascending
        func value(_ row: Row) -> Value {
            switch sort.key {
            case .status, .brand, .department, .group, .survey: .number(0)
            case .priority: .number(row.priority)
            case .email: .text(row.email)
            case .subject: .text(row.subject.lowercased())
            case .name: .text((row.customerName ?? row.email).lowercased())
            case .agent: .text((row.agentName ?? "").lowercased())
            case .idle: .number(row.idleMinutes)
            case .duration: .number(row.ageMinutes)
            case .messages: .number(row.messages)
            case .followUp: .number(row.followUpMinutes ?? (ascending ? Int.max : Int.min))
            }
        }
        return rows.sorted { left, right in
            let (a, b) = (value(left), value(right))
            if a != b { return ascending ? a < b : a > b }
            if left.idleMinutes != right.idleMinutes { return left.idleMinutes > right.idleMinutes }
            return left.id < right.id
        }.map(\.id)
    }

    @Test("Every documented key sorts a group's and a brand's list both ways, ties go to the longest idle, and cursors walk them once")
    func everyKeyBothWays() async throws {
        try await TicketTestKit.run(countsKept: false) { client, kit in
            let zed = try await kit.agent()
            let amy = try await kit.agent()
            let token = try await kit.token(zed, roles: ["Agent"])
            var rows = Self.rows
            for index in rows.indices {
                let customer = try await kit.customer()
                rows[index].id = try #require(try await kit.submit(client, token: customer.token, subject: rows[index].subject)["id"] as? String)
                try await Self.shape(kit, rows[index], customer: customer.id, agent: rows[index].agentName.map { $0.hasPrefix("Zed") ? zed : amy })
            }
            try await Self.name(kit, zed, "Zed Agent")
            try await Self.name(kit, amy, "amy agent")

            let admin = try await kit.administratorToken()
            let lists = [
                ("/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)&status=active&limit=2", token),
                ("/api/v1/tickets?view=brand&id=\(kit.brandID.lowercased)&status=active&limit=3", admin),
            ]
            for (list, caller) in lists {
                for sort in Self.sorts { try await Self.walk(client, list, sort, token: caller, rows: rows) }
            }
        }
    }

    @Test("The Queue sorts by every key both ways with its Active count, and cursors walk it once")
    func queue() async throws {
        try await TicketTestKit.run { client, kit in
            var rows = Self.rows.map { row in
                var unassigned = row
                unassigned.agentName = nil
                return unassigned
            }
            for index in rows.indices {
                let customer = try await kit.customer()
                rows[index].id = try #require(try await kit.submit(client, token: customer.token, subject: rows[index].subject)["id"] as? String)
                try await Self.shape(kit, rows[index], customer: customer.id, agent: nil)
            }
            let admin = try await kit.administratorToken()
            // Priority highest first is the Queue's own order, whose ties go to the oldest ticket.
            let own = rows.sorted { ($0.priority, $0.ageMinutes, $1.id) > ($1.priority, $1.ageMinutes, $0.id) }.map(\.id)
            for sort in Self.sorts {
                try await Self.walk(
                    client, "/api/v1/tickets?view=queue&limit=3", sort, token: admin, rows: rows, expected: sort == .standard ? own : nil)
            }
        }
    }

    static let sorts = ViewSort.Key.allCases.filter { $0 != .survey }.flatMap { [ViewSort(key: $0, order: .ascending), ViewSort(key: $0, order: .descending)] }

    /// Walks `list` in `sort`'s order page by page: every page counts all `rows` Active, and the pages list them once, in
    /// order (``expected(_:_:)``'s unless `expected` says otherwise).
    static func walk(
        _ client: any TestClientProtocol, _ list: String, _ sort: ViewSort, token: String, rows: [Row], expected: [String]? = nil
    ) async throws {
        let sorted = "\(list)&sort=\(sort.key.rawValue)&order=\(sort.order.rawValue)"
        var seen: [String] = []
        var cursor: String?
        repeat {
            let (status, _, page) = try await TicketTestKit.send(client, .get, sorted + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
            #expect(status == .ok, "\(sorted): \(page)")
            #expect((page["counts"] as? [String: Int])?["active"] == rows.count, "\(sorted)")
            seen += ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            cursor = page["nextCursor"] as? String
        } while cursor != nil && seen.count <= rows.count
        #expect(seen == expected ?? Self.expected(rows, sort), "\(sorted)")
    }

    @Test("A cursor of one order is refused by another, and sort is refused where a list keeps its own order")
    func foreignCursorsAndViews() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent", "Manager"])
            let customer = try await kit.customer()
            for index in 0..<3 { _ = try await kit.submit(client, token: customer.token, subject: "S\(index)") }
            let group = "/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)&limit=1"
            let (_, _, bySubject) = try await TicketTestKit.send(client, .get, "\(group)&sort=subject", token: token)
            let subjectCursor = try #require(bySubject["nextCursor"] as? String)
            let (_, _, standard) = try await TicketTestKit.send(client, .get, group, token: token)
            let standardCursor = try #require(standard["nextCursor"] as? String)
            for uri in [
                "\(group)&sort=subject&order=desc&cursor=\(subjectCursor)", "\(group)&sort=email&cursor=\(subjectCursor)",
                "\(group)&sort=subject&cursor=\(standardCursor)", "\(group)&cursor=\(subjectCursor)",
                "/api/v1/tickets?view=recent&sort=subject", "\(group)&sort=subject&q=printer", "\(group)&sort=survey",
            ] {
                let (status, headers, problem) = try await TicketTestKit.send(client, .get, uri, token: token)
                #expect(status == .badRequest, "\(uri)")
                #expect(headers[.contentType] == "application/problem+json", "\(uri)")
                #expect(problem["detail"] is String, "\(uri)")
            }
            let (next, _, page) = try await TicketTestKit.send(client, .get, "\(group)&sort=subject&cursor=\(subjectCursor)", token: token)
            #expect(next == .ok)
            #expect((page["items"] as? [[String: Any]])?.count == 1)
        }
    }

    /// Gives a submitted ticket the row's values, and its customer the row's name.
    static func shape(_ kit: TicketTestKit, _ row: Row, customer: UUID, agent: UUID?) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(uuidString: row.id))
        binds.append(row.priority)
        binds.append(row.email)
        binds.append(row.messages)
        binds.append(row.followUpMinutes)
        binds.append(row.idleMinutes)
        binds.append(row.ageMinutes)
        binds.append(agent)
        try await kit.database.client.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(kit.database.table("tickets")) SET priority = $2, customer_email = $3, messages_in = $4, messages_out = 0,
                    follow_up_at = timestamptz '2030-01-01 00:00:00+00' + make_interval(mins => $5::integer),
                    idle_since = timestamptz '2030-01-01 00:00:00+00' - make_interval(mins => $6::integer),
                    created_at = timestamptz '2030-01-01 00:00:00+00' - make_interval(mins => $7::integer), agent_id = $8
                WHERE id = $1
                """, binds: binds)
        ).consume()
        if let name = row.customerName { try await Self.name(kit, customer, name) }
    }

    static func name(_ kit: TicketTestKit, _ user: UUID, _ name: String) async throws {
        var binds = PostgresBindings()
        binds.append(user)
        binds.append(name)
        try await kit.database.client.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(kit.database.table("users")) (id, email, display_name) VALUES ($1, 'someone@x', $2)
                ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name
                """, binds: binds)
        ).consume()
    }
}
