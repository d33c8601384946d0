import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import ServiceKit
import Testing
import TestSupport
import TicketsApp

@Suite("List pages answer the JSON each ticket's row keeps", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct ListJSONTests {
    /// Twelve tickets between them using every member of a ticket's JSON, NULL and not: strings that need escaping,
    /// dates before 1970 and on a leap day with fractions of a second, each priority, status and Timing
    /// alert level, follow-ups with and without their optional members.
    /// Answers the agent holding two thirds of them.
    @discardableResult
    static func variedTickets(_ client: any TestClientProtocol, _ kit: TicketTestKit) async throws -> UUID {
        let customer = try await kit.customer()
        for index in 0..<12 { _ = try await kit.submit(client, token: customer.token, subject: "Ticket \(index)") }
        let agent = try await kit.agent(maxTickets: 50)
        let tickets = kit.database.table("tickets")
        try await kit.database.run([
            """
            UPDATE \(tickets) t SET
                subject = CASE n % 4 WHEN 0 THEN E'Printer / scanner \\\\ "broken"\\n\\t\\x01 ünïcødé 🖨' WHEN 1 THEN '</script>' ELSE 'plain ' || n END,
                customer_email = CASE WHEN n % 5 = 0 THEN E'o''brien+\\"x\\"@example.com' ELSE customer_email END,
                status = (ARRAY['active', 'waiting', 'closed', 'closed_locked'])[n % 4 + 1],
                closed_at = CASE WHEN n % 4 >= 2 THEN '2024-02-29T23:59:59.999Z'::timestamptz END,
                created_at = CASE WHEN n % 3 = 0 THEN '1969-12-31T23:59:59.5Z'::timestamptz ELSE created_at END,
                priority = n % 4,
                agent_id = CASE WHEN n % 3 = 0 THEN NULL ELSE '\(agent.lowercased)'::uuid END,
                customer_user_id = CASE WHEN n % 2 = 0 THEN NULL ELSE customer_user_id END,
                idle_alert = n % 3, duration_alert = (n + 1) % 3, pinned = n % 2 = 1, messages_in = n, messages_out = 2 * n,
                language = CASE WHEN n % 2 = 0 THEN 'pt-BR' ELSE 'en' END,
                follow_up_at = CASE WHEN n % 2 = 0 THEN '2031-01-01T09:00:00Z'::timestamptz END,
                follow_up_note = CASE WHEN n % 4 = 0 THEN E'Call "back" / soon' END,
                follow_up_group_id = CASE WHEN n % 4 = 2 THEN gen_random_uuid() END,
                follow_up_agent_id = CASE WHEN n % 6 = 0 THEN '\(agent.lowercased)'::uuid END,
                follow_up_priority = CASE WHEN n % 6 = 0 THEN 3 WHEN n % 6 = 2 THEN 0 END,
                follow_up_pin = n % 4 = 0, follow_up_due = n % 8 = 0
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM \(tickets)) o WHERE o.id = t.id
            """,
        ])
        return agent
    }

    /// The body of a GET as bytes.
    static func body(_ client: any TestClientProtocol, _ uri: String, token: String) async throws -> [UInt8] {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer()) { response in
            #expect(response.status == .ok, "\(uri)")
            return Array(response.body.readableBytesView)
        }
    }

    @Test("A list page is byte for byte the page the tickets would write themselves, `/` apart, through every list, page and status")
    func keptJSONIsTheTicketsOwn() async throws {
        try await TicketTestKit.run(countsKept: false) { client, kit in
            let agent = try await Self.variedTickets(client, kit)
            let idle = try await kit.agent(maxTickets: 5, active: false)
            let token = try await kit.administratorToken()
            let caller = try await kit.caller(UUID(), roles: ["Administrator"])
            var compared: [String: Int] = [:]
            let lists: [(TicketView, UUID?)] = [
                (.group, kit.frontLineID), (.brand, kit.brandID), (.department, kit.departmentID), (.all, nil), (.agent, agent), (.agent, idle),
            ]
            for (view, scope) in lists {
                for status in [TicketStatus.active, .waiting, .closed] {
                    var cursor: String?
                    repeat {
                        let query = "view=\(view.rawValue)\(scope.map { "&id=\($0.lowercased)" } ?? "")&status=\(status.rawValue)&limit=2"
                        let written = try await Self.body(client, "/api/v1/tickets?\(query)\(cursor.map { "&cursor=\($0)" } ?? "")", token: token)
                        let page = try await kit.api.store.viewPage(
                            view, scope: scope, caller: caller, status: status, page: PageRequest(limit: 2, cursor: try cursor.map(Cursor.init(decoding:))))
                        let ownJSON = String(decoding: page.json.bytes, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
                        #expect(String(decoding: written, as: UTF8.self) == ownJSON, "\(query) after \(cursor ?? "the start")")
                        compared["\(view.rawValue) \(scope?.lowercased ?? "")", default: 0] += page.items.count
                        cursor = page.nextCursor
                    } while cursor != nil
                }
            }
            let agents = try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(agent.lowercased)'")
            #expect(compared.values.sorted() == [0, agents, 12, 12, 12, 12], "each ticket on a page of each list that holds it: \(compared)")
            let empty = try await Self.body(client, "/api/v1/tickets?view=agent&id=\(idle.lowercased)", token: token)
            #expect(String(decoding: empty, as: UTF8.self) == #"{"items":[],"counts":{"active":0,"waiting":0,"closed":0}}"#)
            let first = try await Self.body(client, "/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)&status=active", token: token)
            #expect(String(decoding: first, as: UTF8.self).contains(#""subject":"Printer / scanner \\ \"broken\"\n\t\u0001 ünïcødé 🖨""#),
                "the page is the database's JSON, which leaves `/` as it is")
        }
    }

    @Test("A change to a ticket through the API rewrites the JSON its lists show")
    func changesRewriteTheJSON() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token, subject: "Was this")["id"] as? String)
            let token = try await kit.administratorToken()
            let (status, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/subject", token: token, body: #"{"subject":"Is \"that\""}"#)
            #expect(status == .ok)
            let (_, _, list) = try await TicketTestKit.send(
                client, .get, "/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)", token: token)
            let listed = try #require((list["items"] as? [[String: Any]])?.first)
            #expect(listed["subject"] as? String == #"Is "that""#)
            #expect(listed["version"] as? Int == 2)
        }
    }
}
