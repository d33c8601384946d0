import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Queues move on when an agent has room again", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct QueueDrainTests {
    /// An agent in the front-line group and a second group with an overall Max Tickets of one, holding a front-line
    /// ticket, and a ticket waiting in the second group's queue for want of room: (agent, held ticket, queued ticket).
    static func agentAtOverallMax(_ client: any TestClientProtocol, _ kit: TicketTestKit) async throws -> (UUID, String, String) {
        let second = UUID()
        try await kit.identity("group.created", ["id": second.lowercased, "departmentID": kit.departmentID.lowercased, "name": "Second Line"])
        let agent = try await kit.agent(overallMax: 1)
        try await kit.agent(in: second, overallMax: 1, id: agent)
        let customer = try await kit.customer()
        let held = try #require(try await kit.submit(client, token: customer.token, subject: "Held")["id"] as? String)
        let queued = try #require(try await kit.submit(client, token: customer.token, subject: "Waiting")["id"] as? String)
        let (moved, _, ticket) = try await TicketTestKit.send(
            client, .post, "/api/v1/tickets/\(queued)/transfer", token: try await kit.administratorToken(), body: #"{"groupID":"\#(second.lowercased)"}"#)
        #expect(moved == .ok)
        #expect(ticket["agentID"] == nil && ticket["groupID"] as? String == second.lowercased, "no room: the second group's queue")
        return (agent, held, queued)
    }

    @Test("Room freed under the overall Max Tickets in one group takes the ticket queued in the agent's other group")
    func releaseDrainsTheAgentsOtherGroups() async throws {
        try await TicketTestKit.run { client, kit in
            let (agent, held, queued) = try await Self.agentAtOverallMax(client, kit)
            let token = try await kit.token(agent, roles: ["Agent"])
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(held)/status", token: token, body: #"{"status":"closed"}"#).0 == .ok)
            let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(queued)", token: try await kit.administratorToken())
            #expect(ticket["agentID"] as? String == agent.lowercased)
        }
    }

    @Test("A ticket transferred into a queue that the room it freed drains answers with the agent it went to")
    func transferAnswersTheDrainedAgent() async throws {
        try await TicketTestKit.run { client, kit in
            let second = UUID()
            try await kit.identity("group.created", ["id": second.lowercased, "departmentID": kit.departmentID.lowercased, "name": "Second Line"])
            let agent = try await kit.agent(overallMax: 1)
            try await kit.agent(in: second, overallMax: 1, id: agent)
            let held = try #require(try await kit.submit(client, token: try await kit.customer().token, subject: "Held")["id"] as? String)
            let (moved, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(held)/transfer", token: try await kit.administratorToken(), body: #"{"groupID":"\#(second.lowercased)"}"#)
            #expect(moved == .ok)
            #expect(ticket["agentID"] as? String == agent.lowercased, "queued for want of room, then drained into the room it freed")
            let (_, _, read) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(held)", token: try await kit.administratorToken())
            #expect(read["agentID"] as? String == agent.lowercased && read["version"] as? Int == ticket["version"] as? Int, "the answer is the ticket as stored")
        }
    }

    @Test("A raised overall Max Tickets takes the queued tickets of the agent's groups")
    func raisedMaximumDrains() async throws {
        try await TicketTestKit.run { client, kit in
            let (agent, _, queued) = try await Self.agentAtOverallMax(client, kit)
            try await kit.identity("user.updated", ["userID": agent.lowercased, "maxTickets": 2])
            let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(queued)", token: try await kit.administratorToken())
            #expect(ticket["agentID"] as? String == agent.lowercased)
        }
    }

    @Test("A queued Waiting ticket made Active again goes to an agent with room, as a new ticket would")
    func reactivatedQueuedTicketIsOffered() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let (waited, _, waiting) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: admin, body: #"{"status":"waiting"}"#)
            #expect(waited == .ok && waiting["agentID"] == nil, "no agent yet: it waits in the queue")
            let agent = try await kit.agent()
            let (_, _, still) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: admin)
            #expect(still["agentID"] == nil, "a Waiting ticket is not handed out")
            let (activated, _, active) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: admin, body: #"{"status":"active"}"#)
            #expect(activated == .ok)
            #expect(active["agentID"] as? String == agent.lowercased, "Active again, it goes to the agent with room")
        }
    }
}
