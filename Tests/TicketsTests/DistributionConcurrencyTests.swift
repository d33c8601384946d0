import Auth
import Database
import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import TestSupport
import TicketsApp

@Suite("Distribution under concurrency", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct DistributionConcurrencyTests {
    @Test("Two instances, 500 simultaneous tickets, 5 agents with max 50: every ticket assigned once or queued, nobody over max")
    func fiveHundredTickets() async throws {
        let url = try await TestDatabase.create()
        try await TestDatabase.withClient(url: url) { firstClient in
            try await TestDatabase.withClient(url: url) { secondClient in
                let first = try Database(client: firstClient, schema: "tickets", logger: TestDatabase.logger)
                let second = try Database(client: secondClient, schema: "tickets", logger: TestDatabase.logger)
                try await MigrationRunner(database: first, migrations: TicketMigrations.all).run()
                let tokens = await TokenService(secret: TokenService.developmentSecret)
                let kit = TicketTestKit(database: first, tokens: tokens, api: TicketsAPI(database: first, tokens: tokens))
                try await kit.seedDirectory()
                var agents: [UUID] = []
                for _ in 0..<5 { agents.append(try await kit.agent(maxTickets: 50)) }
                guard let department = try await TicketStore(database: first).department(kit.departmentID) else { throw TestSetupError("no department") }
                let stores = [TicketStore(database: first), TicketStore(database: second)]
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<500 {
                        group.addTask {
                            let new = NewTicket(
                                department: department, groupID: kit.frontLineID, customerUserID: nil, customerEmail: "c\(index)@customer.example",
                                subject: "Ticket \(index)", bodyHTML: "<p>Help</p>", bodyText: "Help", priority: .normal, owner: nil, incoming: true,
                                status: .active)
                            _ = try await stores[index % 2].create(new, actor: .system)
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 500)
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id IS NOT NULL") == 250)
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id IS NULL") == 250, "the rest wait in the queue")
                #expect(try await kit.count("SELECT max(n)::int FROM (SELECT count(*) AS n FROM {schema}.tickets WHERE agent_id IS NOT NULL GROUP BY agent_id) c") == 50)
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.agent_groups WHERE new_active <> 50") == 0, "counters match the tickets")
                let assignedEvents = try await kit.eventTypes().filter { $0 == "ticket.assigned" }.count
                #expect(assignedEvents == 250, "each assignment published once")
            }
        }
    }

    @Test("A queued ticket goes to an agent as soon as one has room again")
    func queueDrains() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent(maxTickets: 1)
            let customer = try await kit.customer()
            let first = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let queued = try await kit.submit(client, token: customer.token)
            #expect(queued["agentID"] == nil || queued["agentID"] is NSNull, "the agent is at max")
            let token = try await kit.token(agent, roles: ["Agent"])
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(first)/replies", token: token, body: #"{"body":"Done","sendVariant":"closed"}"#)
            let (_, _, drained) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(try #require(queued["id"] as? String))", token: token)
            #expect(drained["agentID"] as? String == agent.lowercased, "closing one ticket makes room, and the queue drains")
        }
    }
}
