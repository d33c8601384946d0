import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import TestSupport
import TicketsApp

/// The seed: "follow-ups and waiting tickets that become active for an agent … do not follow max ticket limit, they
/// DO affect agents receiving new tickets": they count in the round robin's allocation, not in Max Tickets.
@Suite("Tickets active again for their agent", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct ReactivatedTicketsTests {
    /// Two primary agents with one new ticket each: answers them in the order round robin gave them out, and the
    /// first one's ticket.
    static func twoAgentsOneTicketEach(
        _ client: any TestClientProtocol, _ kit: TicketTestKit
    ) async throws -> (first: UUID, second: UUID, ticket: String, customer: String) {
        let agents = [try await kit.agent(), try await kit.agent()]
        let customer = try await kit.customer()
        let one = try await kit.submit(client, token: customer.token, subject: "One")
        let two = try await kit.submit(client, token: customer.token, subject: "Two")
        let first = try #require(agents.first { $0.lowercased == one["agentID"] as? String })
        let second = try #require(agents.first { $0.lowercased == two["agentID"] as? String })
        #expect(first != second)
        return (first, second, try #require(one["id"] as? String), customer.token)
    }

    @Test("A customer's reply that makes a Waiting ticket Active for its agent sends the next new ticket to the other agent, without counting toward Max Tickets")
    func customerReplyCountsForRoundRobin() async throws {
        try await TicketTestKit.run { client, kit in
            let (first, second, ticket, customer) = try await Self.twoAgentsOneTicketEach(client, kit)
            let token = try await kit.token(first, roles: ["Agent"])
            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/replies", token: token, body: #"{"body":"Try this.","sendVariant":"waiting"}"#).0 == .created)
            let (_, _, answered) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/messages", token: customer, body: #"{"body":"Did not help."}"#)
            #expect(answered["status"] as? String == "active")
            #expect(answered["agentID"] as? String == first.lowercased)
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(first.lowercased)'") == 0, "not a new ticket")
            #expect(try await kit.submit(client, token: customer, subject: "Three")["agentID"] as? String == second.lowercased,
                "the first agent has two tickets to the second's one")
        }
    }

    @Test("A follow-up that comes due for its agent counts in their share of new tickets")
    func followUpCountsForRoundRobin() async throws {
        try await TicketTestKit.run { client, kit in
            let (first, second, ticket, customer) = try await Self.twoAgentsOneTicketEach(client, kit)
            let token = try await kit.token(first, roles: ["Agent"])
            let due = Date().addingTimeInterval(3_600).formatted(.iso8601)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ticket)/follow-up", token: token, body: #"{"at":"\#(due)"}"#).0 == .ok)
            let worker = TimerWorker(store: kit.api.store, logger: Logger(label: "timers"))
            while try await worker.runOne(now: Date().addingTimeInterval(7_200)) {}
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.history WHERE action = 'ticket.followed_up'") == 1)
            #expect(try await kit.submit(client, token: customer, subject: "Three")["agentID"] as? String == second.lowercased,
                "the first agent has two active tickets to the second's one")
        }
    }
}
