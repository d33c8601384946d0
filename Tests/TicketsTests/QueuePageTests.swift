import Database
import Foundation
import PostgresNIO
import ServiceKit
import Testing
import TestSupport

@testable import TicketsApp

@Suite("The Queue's order across groups", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct QueuePageTests {
    /// Walks the Active Queue as `caller` sees it, two tickets a page.
    static func walk(_ kit: TicketTestKit, as caller: TicketCaller) async throws -> [String] {
        try await walkPages { cursor in
            let page = try await kit.api.store.list(
                .queue, caller: caller, status: .active, page: PageRequest(limit: 2, cursor: try cursor.map(Cursor.init(decoding:))))
            return (page.items.map(\.id), page.nextCursor)
        }
    }

    @Test("The Queue lists its groups' unassigned tickets highest priority first, then oldest, across pages and groups")
    func ordersAcrossGroups() async throws {
        try await TicketTestKit.run(countsKept: false) { client, kit in
            let customer = try await kit.customer()
            for index in 0..<12 { _ = try await kit.submit(client, token: customer.token, subject: "Queued \(index)") }
            let groups = [UUID(), UUID(), UUID()].map(\.lowercased)
            let tickets = kit.database.table("tickets")
            // Three groups in turn and three priorities, so that a priority spans groups, and four tickets created at each
            // minute, so that two of one priority tie across groups (ties go to the id).
            try await kit.database.run([
                """
                UPDATE \(tickets) t SET agent_id = NULL, status = 'active', counts_toward_max = false,
                    group_id = (ARRAY['\(groups.joined(separator: "','"))']::uuid[])[n % 3 + 1], priority = (n / 3) % 3,
                    created_at = '2026-01-01T00:00:00Z'::timestamptz + (n / 4) * interval '1 minute'
                FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM \(tickets)) o WHERE o.id = t.id
                """
            ])
            func expected(in chosen: [String]) async throws -> [String] {
                let rows = try await kit.database.client.query(
                    PostgresQuery(unsafeSQL: """
                        SELECT id FROM \(tickets) WHERE group_id = ANY(ARRAY['\(chosen.joined(separator: "','"))']::uuid[])
                        ORDER BY priority DESC, created_at, id
                        """), logger: kit.database.logger)
                var ids: [String] = []
                for try await id in rows.decode(UUID.self) { ids.append(id.lowercased) }
                return ids
            }
            let agent = TicketCaller(principal: TicketTestKit.principal(UUID(), roles: ["Agent"]), groups: Set(groups.prefix(2)), departments: [])
            let two = try await expected(in: Array(groups.prefix(2)))
            #expect(two.count == 8)
            #expect(try await Self.walk(kit, as: agent) == two, "an agent's Queue: their two groups")
            let administrator = TicketCaller(principal: TicketTestKit.principal(UUID(), roles: ["Administrator"]), groups: [], departments: [])
            let all = try await expected(in: groups)
            #expect(all.count == 12)
            #expect(try await Self.walk(kit, as: administrator) == all, "everyone's Queue: every group")
        }
    }
}
