import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit
import Testing
import TestSupport
@testable import TicketsApp

/// A batch of new tickets is distributed from the agents read without locks and written in one statement that
/// first checks their rows are as read; when they are not, it writes nothing and the batch is written under locks.
@Suite("Batches distributed from an unlocked reading", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct UnlockedDistributionTests {
    /// A change to the agents' rows after they were read, each leaving the only agent unable to take a ticket.
    static let changes = [
        "UPDATE {schema}.agent_groups SET new_active = 1, allocated = 1",
        "UPDATE {schema}.agents SET overall_max_tickets = 0",
        "DELETE FROM {schema}.agent_groups",
    ]

    @Test("A batch written from a reading whose agents changed since writes nothing and fails with CD001", arguments: changes)
    func changedAgentsStopTheStatement(change: String) async throws {
        try await TicketTestKit.run { _, kit in
            let agent = try await kit.agent(maxTickets: 1)
            let stale = try await Self.read(kit)
            #expect(stale.slots[kit.frontLineID]?.map(\.agentID) == [agent])
            _ = try await kit.count("WITH changed AS (\(change) RETURNING 1) SELECT count(*)::int FROM changed")

            let error = await #expect(throws: (any Error).self) { try await Self.write(kit, from: stale) }
            #expect(error.map(DistributionMoved.matches) == true, "the statement's error is CD001: \(String(reflecting: error))")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.outbox") == 0, "no event either")

            let tickets = try await kit.api.store.createPlain([(Self.newTicket(kit), .system)])
            #expect(tickets.first?.agentID == nil, "written again from the agents as they are: nobody can take it, so it waits in the queue")
        }
    }

    @Test("A reading of a group without agents is refused once an agent joined it")
    func aJoinedAgentStopsTheStatement() async throws {
        try await TicketTestKit.run { _, kit in
            let stale = try await Self.read(kit)
            #expect(stale.slots.isEmpty)
            let agent = try await kit.agent()
            let error = await #expect(throws: (any Error).self) { try await Self.write(kit, from: stale) }
            #expect(error.map(DistributionMoved.matches) == true, "the statement's error is CD001: \(String(reflecting: error))")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0)
            let tickets = try await kit.api.store.createPlain([(Self.newTicket(kit), .system)])
            #expect(tickets.first?.agentID == agent.lowercased, "the new agent takes it")
        }
    }

    @Test("A change committed while the statement waits for the agent's row is seen: the agent at max gets nothing")
    func aChangeCommittedDuringTheCheckIsSeen() async throws {
        try await TicketTestKit.run { _, kit in
            _ = try await kit.agent(maxTickets: 1)
            let new = try await Self.newTicket(kit)
            let database = kit.database
            let metrics = HTTPMetrics()
            let store = TicketStore(database: database, metrics: metrics)
            // The batch starts once the change holds the agent's row, however busy the machine is.
            let (updated, holding) = AsyncStream.makeStream(of: Void.self)
            let tickets = try await withThrowingTaskGroup(of: [Ticket]?.self) { group in
                group.addTask {
                    try await database.transaction { connection in
                        try await connection.query(
                            PostgresQuery(unsafeSQL: "UPDATE \(database.table("agent_groups")) SET new_active = 1, allocated = 1"), logger: database.logger
                        ).consume()
                        holding.yield()
                        try await Task.sleep(for: .milliseconds(1_500))
                    }
                    return nil
                }
                group.addTask {
                    for await _ in updated { break }
                    return try await store.createPlain([(new, .system)])
                }
                var written: [Ticket] = []
                for try await result in group { if let result { written = result } }
                return written
            }
            #expect(tickets.count == 1)
            #expect(tickets.first?.agentID == nil, "read before the change committed, checked after: written again from the agent at max")
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups") == 1, "nobody over max")
            let exposed = String(decoding: metrics.render(), as: UTF8.self)
            #expect(exposed.contains(#"tickets_creation_batches_total{path="locked"} 1"#), "the fall-back is counted: \(exposed)")
            #expect(exposed.contains(#"tickets_creation_batches_total{path="unlocked"} 0"#))
        }
    }

    @Test("A locked reading is not compared: a membership inserted after it does not stop the statement")
    func aLockedReadingIsNotCompared() async throws {
        try await TicketTestKit.run { _, kit in
            let agent = try await kit.agent()
            let store = kit.api.store
            let new = try await Self.newTicket(kit)
            let tickets = try await store.database.transaction { connection in
                let reading = try await store.distributor.reading([kit.frontLineID], locking: true, on: connection)
                _ = try await kit.count("""
                    WITH joined AS (
                        INSERT INTO {schema}.agent_groups (group_id, agent_id, department_id, handling)
                        SELECT group_id, gen_random_uuid(), department_id, handling FROM {schema}.agent_groups RETURNING 1)
                    SELECT count(*)::int FROM joined
                    """)
                return try await store.createPlain([(new, .system)], from: reading, on: connection)
            }
            #expect(tickets.first?.agentID == agent.lowercased)
        }
    }

    @Test("An unchanged reading writes the batch and moves the chosen agents' counters")
    func anUnchangedReadingWrites() async throws {
        try await TicketTestKit.run { _, kit in
            let first = try await kit.agent()
            let second = try await kit.agent()
            let reading = try await Self.read(kit)
            try await Self.write(kit, from: reading, count: 4)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id IS NOT NULL") == 4)
            for agent in [first, second] {
                #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(agent.lowercased)'") == 2)
                #expect(try await kit.count("SELECT new_active FROM {schema}.agents WHERE id = '\(agent.lowercased)'") == 2)
            }
        }
    }

    @Test("A batch whose tickets were written though it failed (its answer lost) answers them as written, not twice")
    func aWrittenBatchIsNotWrittenTwice() async throws {
        try await TicketTestKit.run { _, kit in
            let store = kit.api.store
            let new = try await Self.newTicket(kit)
            // The batch's statement committed, then its connection failed: the tickets are there under their ids.
            _ = try await store.createPlain([(new, .system)])
            let results = await store.create(batch: [PendingTicket(departmentID: kit.departmentID, actor: .system) { _ in new }])
            let answered = try #require(try results.first?.get())
            #expect(answered.id == new.id.lowercased)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 1, "written once")
        }
    }

    static func read(_ kit: TicketTestKit) async throws -> DistributionReading {
        let store = kit.api.store
        return try await store.database.withConnection { try await store.distributor.reading([kit.frontLineID], locking: false, on: $0) }
    }

    static func write(_ kit: TicketTestKit, from reading: DistributionReading, count: Int = 1) async throws {
        let store = kit.api.store
        let new = try await Self.newTicket(kit)
        let items = (0..<count).map { _ in
            var ticket = new
            ticket.id = UUIDv7.generate()
            return (ticket, Actor.system)
        }
        _ = try await store.database.withConnection { try await store.createPlain(items, from: reading, on: $0) }
    }

    static func newTicket(_ kit: TicketTestKit) async throws -> NewTicket {
        guard let department = try await kit.api.store.department(kit.departmentID) else { throw TestSetupError("no department") }
        return NewTicket(
            department: department, groupID: kit.frontLineID, customerUserID: nil, customerEmail: "c@customer.example", subject: "Printer",
            bodyHTML: "<p>Help</p>", bodyText: "Help", priority: .normal, owner: nil, incoming: true, status: .active)
    }
}
