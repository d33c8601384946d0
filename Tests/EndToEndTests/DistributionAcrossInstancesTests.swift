import Contracts
import Foundation
import NIOHTTP1
import PostgresNIO
import Testing
import TestSupport

/// Round robin with two tickets processes behind the gateway: both assign from the same counters, so a burst of
/// portal tickets split between them never gives an agent more than their max and never loses or doubles a ticket.
@Suite("Distribution across two tickets instances", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(20)))
struct DistributionAcrossInstancesTests {
    static let agents = 5
    static let maxTickets = 50
    static let tickets = 500
    static let senders = 25

    @Test("500 portal tickets sent at once through the gateway to two tickets processes, 5 agents with max 50: 250 assigned, 50 each, 250 queued, each once")
    func fiveHundredTicketsTwoProcesses() async throws {
        try await withFleet(TestFleet.Options(otherServices: true, ticketsInstances: 2)) { fleet in
            let host = [("Host", "demo.localhost")]
            let admin = host + [("Authorization", "Bearer \(try await fleet.signIn())")]
            let (departmentID, groupID) = try await TicketsThroughTheGatewayTests.department(fleet, admin: admin)
            try await Self.activeAgents(fleet, admin: admin, groupID: groupID)
            let captchaOff = try await TestHTTP.shared.send(
                .PATCH, fleet.gatewayURL + "/api/v1/identity/settings/management", headers: admin, rawBody: #"{"captcha":"none"}"#)
            #expect(captchaOff.status == 200)
            try await Self.waitUntilTicketsKnows(fleet, groupID: groupID)

            let statuses = try await Self.submitAll(fleet, departmentID: departmentID)
            #expect(statuses == [201: Self.tickets], "every submission answered 201 Created")

            let served = try await Self.createdPerInstance(fleet)
            #expect(served.count == 2 && served.allSatisfy { $0 > 0 }, "both processes created tickets: \(served)")
            #expect(served.reduce(0, +) == Self.tickets)
            let counts = try await Self.counts(fleet, groupID: groupID)
            #expect(counts["tickets"] == Self.tickets)
            #expect(counts["numbers"] == Self.tickets, "numbers are unique")
            #expect(counts["firstMessages"] == Self.tickets)
            #expect(counts["assigned"] == Self.agents * Self.maxTickets)
            #expect(counts["agentsOverMax"] == 0, "nobody is over their max")
            #expect(counts["agentsAtMax"] == Self.agents, "each of the 5 agents has exactly their max")
            #expect(counts["countersOff"] == 0, "the round robin's counters match the tickets")
            #expect(counts["overallCountersOff"] == 0, "so do the agents' overall counters, which both processes move")
            #expect(counts["queue"] == Self.tickets - Self.agents * Self.maxTickets, "the queue's count holds the rest")
        }
    }

    /// What the group's tickets and counters hold, read from tickets' schema.
    static func counts(_ fleet: TestFleet, groupID: String) async throws -> [String: Int] {
        let group = try #require(UUID(uuidString: groupID))
        let queries = [
            "tickets": "SELECT count(*)::int FROM tickets.tickets WHERE group_id = $1",
            "numbers": "SELECT count(DISTINCT number)::int FROM tickets.tickets WHERE group_id = $1",
            "firstMessages": "SELECT count(*)::int FROM tickets.messages m JOIN tickets.tickets t ON t.id = m.ticket_id WHERE t.group_id = $1",
            "assigned": "SELECT count(*)::int FROM tickets.tickets WHERE group_id = $1 AND agent_id IS NOT NULL",
            "agentsOverMax": "SELECT count(*)::int FROM (SELECT agent_id FROM tickets.tickets WHERE group_id = $1 AND agent_id IS NOT NULL GROUP BY agent_id HAVING count(*) > \(maxTickets)) c",
            "agentsAtMax": "SELECT count(*)::int FROM (SELECT agent_id FROM tickets.tickets WHERE group_id = $1 AND agent_id IS NOT NULL GROUP BY agent_id HAVING count(*) = \(maxTickets)) c",
            "countersOff": "SELECT count(*)::int FROM tickets.agent_groups WHERE group_id = $1 AND new_active <> \(maxTickets)",
            "overallCountersOff": """
                SELECT count(*)::int FROM tickets.agents a JOIN tickets.agent_groups g ON g.agent_id = a.id WHERE g.group_id = $1 AND a.new_active <> \(maxTickets)
                """,
            "queue": "SELECT coalesce(sum(n), 0)::int FROM tickets.ticket_counts WHERE scope = 'queue' AND scope_id = $1",
        ]
        return try await TestDatabase.withClient(url: fleet.databaseURL) { client in
            var counts: [String: Int] = [:]
            for (name, sql) in queries {
                var binds = PostgresBindings()
                binds.append(group)
                let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: TestDatabase.logger)
                for try await value in rows.decode(Int.self) { counts[name] = value }
            }
            return counts
        }
    }

    /// Five agents, each a primary of the group with max 50, signed in and Active for tickets.
    static func activeAgents(_ fleet: TestFleet, admin: [(String, String)], groupID: String) async throws {
        for index in 0..<agents {
            let email = "rr-\(index)@demo.localhost"
            try await fleet.concierge(["create-user", "--email", email, "--password", "agent-password"])
            let agent = [("Host", "demo.localhost"), ("Authorization", "Bearer \(try await fleet.signIn(email: email, password: "agent-password"))")]
            let agentID = try #require(try await TestHTTP.shared.send(.GET, fleet.gatewayURL + "/api/v1/identity/me", headers: agent).json?["userID"] as? String)
            let membership = try await TestHTTP.shared.send(
                .PUT, fleet.gatewayURL + "/api/v1/identity/groups/\(groupID)/members/\(agentID)", headers: admin,
                json: ["ticketHandling": "primary", "maxTickets": maxTickets])
            #expect(membership.status == 200)
            let active = try await TestHTTP.shared.send(
                .PUT, fleet.gatewayURL + "/api/v1/identity/agents/\(agentID)/status", headers: agent,
                json: ["groupID": groupID, "channel": "tickets", "active": true])
            #expect(active.status == 200)
        }
    }

    /// Waits until tickets' directory has the five Active primaries with their max and the CAPTCHA turned off.
    static func waitUntilTicketsKnows(_ fleet: TestFleet, groupID: String) async throws {
        try await TestDatabase.withClient(url: fleet.databaseURL) { client in
            var binds = PostgresBindings()
            binds.append(try #require(UUID(uuidString: groupID)))
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let rows = try await client.query(PostgresQuery(unsafeSQL: """
                    SELECT (SELECT count(*)::int FROM tickets.agent_groups g JOIN tickets.agents a ON a.id = g.agent_id
                            WHERE g.group_id = $1 AND g.active AND NOT g.excluded AND g.handling = 'primary' AND g.max_tickets = \(maxTickets) AND NOT a.signed_out),
                           (SELECT count(*)::int FROM tickets.identity_settings WHERE captcha = 'none')
                    """, binds: binds), logger: TestDatabase.logger)
                for try await (ready, captchaOff) in rows.decode((Int, Int).self) where ready == agents && captchaOff == 1 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestSetupError("tickets did not learn the agents and the CAPTCHA setting in 30 s")
        }
    }

    /// Sends every ticket from `senders` concurrent clients through the gateway; answers how many got each status.
    static func submitAll(_ fleet: TestFleet, departmentID: String) async throws -> [Int: Int] {
        try await withThrowingTaskGroup(of: [Int: Int].self) { group in
            for sender in 0..<senders {
                group.addTask {
                    var statuses: [Int: Int] = [:]
                    for index in stride(from: sender, to: tickets, by: senders) {
                        let reply = try await TestHTTP.shared.send(
                            .POST, fleet.gatewayURL + "/api/v1/tickets", headers: [("Host", "demo.localhost")],
                            json: ["departmentID": departmentID, "subject": "Burst \(index)", "body": "Ticket \(index).", "email": "burst-\(index)@customer.example"])
                        statuses[reply.status, default: 0] += 1
                    }
                    return statuses
                }
            }
            return try await group.reduce(into: [:]) { total, part in total.merge(part, uniquingKeysWith: +) }
        }
    }

    /// Each tickets process's count of `POST /api/v1/tickets` answered 201, from its own `/metrics`.
    static func createdPerInstance(_ fleet: TestFleet) async throws -> [Int] {
        var counts: [Int] = []
        for (service, _, port) in fleet.others where service == .tickets {
            let metrics = try await TestHTTP.shared.get("http://127.0.0.1:\(port)/metrics")
            let line = metrics.text.split(separator: "\n").first {
                $0.hasPrefix("http_requests_total") && $0.contains(#"method="POST""#) && $0.contains(#"route="/api/v1/tickets""#) && $0.contains(#"status="201""#)
            }
            let value = line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
            counts.append(value.isFinite ? Int(value) : 0)
        }
        return counts
    }
}
