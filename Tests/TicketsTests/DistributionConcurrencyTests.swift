import Auth
import Database
import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import TestSupport
import ServiceKit
@testable import TicketsApp

@Suite("Distribution under concurrency", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct DistributionConcurrencyTests {
    @Test("Two instances, 500 simultaneous tickets, 5 agents with max 50: every ticket assigned once or queued, nobody over max")
    func fiveHundredTickets() async throws {
        try await Self.twoInstances { kit, department, instances in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<500 {
                    group.addTask { _ = try await instances[index % 2].store.create(Self.newTicket(index, in: department, kit: kit), actor: .system) }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("Two instances writing simultaneous new tickets in batches (group commit) keep the same guarantees")
    func fiveHundredTicketsInBatches() async throws {
        try await Self.twoInstances { kit, department, instances in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<500 {
                    group.addTask {
                        _ = try await instances[index % 2].creation.submit(
                            PendingTicket(departmentID: department.id, actor: .system) { known in
                                guard let known else { throw TestSetupError("no department") }
                                return Self.newTicket(index, in: known, kit: kit)
                            })
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(!PlainTicketCreation.text.hasRefused, "batches with and without assignments share the prepared statement's text")
    }

    static func newTicket(_ index: Int, in department: KnownDepartment, kit: TicketTestKit) -> NewTicket {
        NewTicket(
            department: department, groupID: kit.frontLineID, customerUserID: nil, customerEmail: "c\(index)@customer.example",
            subject: "Ticket \(index)", bodyHTML: "<p>Help</p>", bodyText: "Help", priority: .normal, owner: nil, incoming: true, status: .active)
    }

    /// Two tickets instances (own connection pools) on one database with 5 agents of max 50 in the front-line group; `create`
    /// makes 500 tickets through them, then every ticket must be assigned once or queued, and nobody be over max.
    static func twoInstances(_ create: @Sendable (TicketTestKit, KnownDepartment, [TicketsAPI]) async throws -> Void) async throws {
        let url = try await TestDatabase.create()
        try await TestDatabase.withClient(url: url) { firstClient in
            try await TestDatabase.withClient(url: url) { secondClient in
                let first = try Database(client: firstClient, schema: "tickets", logger: TestDatabase.logger)
                let second = try Database(client: secondClient, schema: "tickets", logger: TestDatabase.logger)
                try await MigrationRunner(database: first, migrations: TicketMigrations.all).run()
                let tokens = await TokenService(secret: TokenService.developmentSecret)
                let kit = TicketTestKit(database: first, tokens: tokens, api: TicketsAPI(database: first, tokens: tokens))
                try await kit.seedDirectory()
                for _ in 0..<5 { _ = try await kit.agent(maxTickets: 50) }
                guard let department = try await TicketStore(database: first).department(kit.departmentID) else { throw TestSetupError("no department") }
                try await create(kit, department, [TicketsAPI(database: first, tokens: tokens), TicketsAPI(database: second, tokens: tokens)])
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 500)
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id IS NOT NULL") == 250)
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id IS NULL") == 250, "the rest wait in the queue")
                #expect(try await kit.count("SELECT max(n)::int FROM (SELECT count(*) AS n FROM {schema}.tickets WHERE agent_id IS NOT NULL GROUP BY agent_id) c") == 50)
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.agent_groups WHERE new_active <> 50") == 0, "counters match the tickets")
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.agents WHERE new_active <> 50") == 0, "overall counters too")
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.messages") == 500, "each ticket has its first message")
                #expect(try await kit.count("SELECT sum(n)::int FROM {schema}.ticket_counts WHERE scope = 'queue'") == 250, "the queue's count")
                let events = try await kit.eventTypes()
                #expect(events.filter { $0 == "ticket.assigned" }.count == 250, "each assignment published once")
                #expect(events.filter { $0 == "ticket.queued" }.count == 250)
                #expect(events.filter { $0 == "ticket.created" }.count == 500)
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
