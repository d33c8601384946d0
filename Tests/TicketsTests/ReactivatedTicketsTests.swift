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

    @Test("A follow-up set to auto-assign reaches an active agent at their Max Tickets and takes none of their new-ticket slots")
    func autoAssignedFollowUpIgnoresMaxTickets() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent(maxTickets: 1)
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let first = try #require(try await kit.submit(client, token: customer.token, subject: "First")["id"] as? String)
            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(first)/replies", token: token, body: #"{"body":"Try this.","sendVariant":"waiting"}"#).0 == .created)
            let due = Date().addingTimeInterval(3_600).formatted(.iso8601)
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(first)/follow-up", token: token, body: #"{"at":"\#(due)","agentID":"auto"}"#).0 == .ok)
            let second = try await kit.submit(client, token: customer.token, subject: "Second")
            #expect(second["agentID"] as? String == agent.lowercased, "the waiting ticket left a slot free")
            let newActive = "SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(agent.lowercased)'"
            #expect(try await kit.count(newActive) == 1, "at Max Tickets")

            let worker = TimerWorker(store: kit.api.store, logger: Logger(label: "timers"))
            while try await worker.runOne(now: Date().addingTimeInterval(7_200)) {}
            let (_, _, fired) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(first)", token: token)
            #expect(fired["status"] as? String == "active")
            #expect(fired["agentID"] as? String == agent.lowercased, "not the Queue: a follow-up does not follow the max ticket limit")
            #expect(try await kit.count(newActive) == 1, "nor does it take a new ticket's slot")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE counts_toward_max") == 1)
            #expect(try await kit.count("SELECT allocated FROM {schema}.agent_groups WHERE agent_id = '\(agent.lowercased)'") == 2 + 1,
                "it adds to the agent's share all the same")
        }
    }

    @Test("A transfer back to the ticket's own agent in its own group keeps the one Max Tickets count it has, named or by round robin")
    func transferToTheSameOwnerCountsOnce() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent(maxTickets: 2)
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let ticket = try #require(try await kit.submit(client, token: customer.token, subject: "Mine")["id"] as? String)
            let newActive = "SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(agent.lowercased)'"
            let overall = "SELECT new_active FROM {schema}.agents WHERE id = '\(agent.lowercased)'"
            #expect(try await kit.count(newActive) == 1)
            for body in [
                #"{"groupID":"\#(kit.frontLineID.lowercased)","agentID":"\#(agent.lowercased)"}"#,
                #"{"groupID":"\#(kit.frontLineID.lowercased)"}"#,
            ] {
                let (status, _, moved) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/transfer", token: token, body: body)
                #expect(status == .ok, "\(moved)")
                #expect(moved["agentID"] as? String == agent.lowercased)
                #expect(try await kit.count(newActive) == 1, "still one ticket received: \(body)")
                #expect(try await kit.count(overall) == 1)
            }
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ticket)/status", token: token, body: #"{"status":"closed"}"#).0 == .ok)
            #expect(try await kit.count(newActive) == 0, "closing it gives the slot back, none lost")
            #expect(try await kit.count(overall) == 0)
            let two = [try await kit.submit(client, token: customer.token, subject: "A"), try await kit.submit(client, token: customer.token, subject: "B")]
            #expect(two.allSatisfy { $0["agentID"] as? String == agent.lowercased }, "both slots are free again")
        }
    }

    @Test("A ticket its own group's round robin gets back stays with its agent at their Max Tickets, and the Queue keeps waiting")
    func transferBackAtMaxTickets() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent(maxTickets: 1)
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let ticket = try await kit.submit(client, token: customer.token, subject: "Mine")
            let queued = try await kit.submit(client, token: customer.token, subject: "Waiting in the queue")
            #expect(ticket["agentID"] as? String == agent.lowercased)
            #expect(queued["agentID"] == nil, "the agent is at their Max Tickets")
            let id = try #require(ticket["id"] as? String)
            let (status, _, moved) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(kit.frontLineID.lowercased)"}"#)
            #expect(status == .ok)
            #expect(moved["agentID"] as? String == agent.lowercased, "the slot it holds is its own")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id IS NULL") == 1, "the other ticket still waits")
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(agent.lowercased)'") == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.history WHERE action = 'ticket.queued'") == 1, "only the second ticket was queued")

            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Try this.","sendVariant":"waiting"}"#).0 == .created)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id IS NULL") == 0, "its slot went to the waiting one")
            let (again, _, waiting) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(kit.frontLineID.lowercased)"}"#)
            #expect(again == .ok)
            #expect(waiting["status"] as? String == "waiting")
            #expect(waiting["agentID"] as? String == agent.lowercased, "a Waiting ticket it holds without a slot stays too")
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(agent.lowercased)'") == 1)
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
