import Auth
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Logout hand-off", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct HandOffTests {
    @Test("Signing out with a hand-off gives the agent's unpinned Active tickets to the other agents; pinned and waiting ones stay; without a hand-off nothing moves")
    func handOffAtSignOut() async throws {
        try await TicketTestKit.run { client, kit in
            let leaving = try await kit.agent()
            let leavingToken = try await kit.token(leaving, roles: ["Agent"])
            let customer = try await kit.customer()
            var ids: [String] = []
            for index in 0..<4 { ids.append(try #require(try await kit.submit(client, token: customer.token, subject: "T\(index)")["id"] as? String)) }
            let staying = try await kit.agent()
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[0])/pin", token: leavingToken, body: #"{"pinned":true}"#)
            let (replied, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ids[1])/replies", token: leavingToken, body: #"{"body":"Try this.","sendVariant":"waiting"}"#)
            #expect(replied == .created)
            let session: [String: Any] = ["userID": leaving.lowercased, "groupIDs": [kit.frontLineID.lowercased]]
            try await kit.identity("agent.signed_out", session)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(leaving.lowercased)'") == 4,
                    "a plain sign-out moves nothing")

            try await kit.identity("agent.signed_out", session.merging(["handOff": true]) { $1 })
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(staying.lowercased)'") == 2)
            let kept = try await kit.count("""
                SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(leaving.lowercased)' AND id IN ('\(ids[0])', '\(ids[1])')
                """)
            #expect(kept == 2, "the pinned ticket and the waiting one stay with the agent")
        }
    }

    @Test("A signed-out agent receives no new tickets until they sign in again, and then the queue moves on to them; another open session keeps them signed in")
    func signedOutAgentsReceiveNothing() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let customer = try await kit.customer()
            let session: [String: Any] = ["userID": agent.lowercased, "groupIDs": [kit.frontLineID.lowercased]]
            try await kit.identity("agent.signed_out", session.merging(["stillSignedIn": true]) { $1 })
            #expect(try await kit.submit(client, token: customer.token, subject: "First")["agentID"] as? String == agent.lowercased,
                    "signed in elsewhere still")
            try await kit.identity("agent.signed_out", session)
            let queued = try await kit.submit(client, token: customer.token, subject: "Second")
            #expect(queued["agentID"] == nil, "the only agent signed out: the ticket waits in the queue")
            let (status, _, ticket) = try await TicketTestKit.send(
                client, .get, "/api/v1/tickets/\(try #require(queued["id"] as? String))", token: try await kit.token(agent, roles: ["Agent"]))
            #expect(status == .ok && ticket["agentID"] == nil)
            try await kit.identity("agent.signed_in", session)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(agent.lowercased)'") == 2,
                    "signing in takes the queued ticket")
        }
    }

    @Test("An agent auto-inactivated in a group with Hand-off on Auto-Inactive gives that group's unpinned Active tickets to the others")
    func handOffOnAutoInactive() async throws {
        try await TicketTestKit.run { client, kit in
            let idle = try await kit.agent()
            let customer = try await kit.customer()
            for index in 0..<3 { _ = try await kit.submit(client, token: customer.token, subject: "T\(index)") }
            let busy = try await kit.agent()
            try await kit.identity("agent.status_changed", [
                "userID": idle.lowercased, "groupID": kit.frontLineID.lowercased, "departmentID": kit.departmentID.lowercased, "channel": "tickets",
                "active": false, "changedBy": "auto-inactive", "handOff": true,
            ])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(busy.lowercased)'") == 3)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(idle.lowercased)'") == 0)
        }
    }

    @Test("The room a hand-off frees under an overall Max Tickets takes the ticket queued in the agent's other group")
    func handOffDrainsTheAgentsOtherGroups() async throws {
        try await TicketTestKit.run { client, kit in
            let (agent, held, queued) = try await QueueDrainTests.agentAtOverallMax(client, kit)
            let busy = try await kit.agent()
            try await kit.identity("agent.status_changed", [
                "userID": agent.lowercased, "groupID": kit.frontLineID.lowercased, "departmentID": kit.departmentID.lowercased, "channel": "tickets",
                "active": false, "changedBy": "auto-inactive", "handOff": true,
            ])
            let admin = try await kit.administratorToken()
            let (_, _, handed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(held)", token: admin)
            #expect(handed["agentID"] as? String == busy.lowercased)
            let (_, _, drained) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(queued)", token: admin)
            #expect(drained["agentID"] as? String == agent.lowercased, "the other group's queue moves on to the room freed")
        }
    }

    @Test("A deleted agent's Active tickets, pinned ones too, go to the group's other agents")
    func deletedAgentHandsOff() async throws {
        try await TicketTestKit.run { client, kit in
            let leaving = try await kit.agent()
            let customer = try await kit.customer()
            let ids = [
                try #require(try await kit.submit(client, token: customer.token, subject: "A")["id"] as? String),
                try #require(try await kit.submit(client, token: customer.token, subject: "B")["id"] as? String),
            ]
            let token = try await kit.token(leaving, roles: ["Agent"])
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[0])/pin", token: token, body: #"{"pinned":true}"#).0 == .ok)
            let staying = try await kit.agent()
            try await kit.identity("user.deleted", ["userID": leaving.lowercased])
            let admin = try await kit.administratorToken()
            for id in ids {
                let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: admin)
                #expect(ticket["agentID"] as? String == staying.lowercased)
                #expect(ticket["pinned"] as? Bool == false)
            }
        }
    }

    @Test("An agent removed from a group gives its Active tickets, pinned ones too, to the group's other agents, sees them no more, and their Waiting ticket moves on at the customer's reply")
    func removedFromGroupHandsOff() async throws {
        try await TicketTestKit.run { client, kit in
            let leaving = try await kit.agent()
            let token = try await kit.token(leaving, roles: ["Agent"])
            let customer = try await kit.customer()
            var ids: [String] = []
            for subject in ["Pinned", "Active", "Waiting"] {
                ids.append(try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String))
            }
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[0])/pin", token: token, body: #"{"pinned":true}"#).0 == .ok)
            let (replied, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ids[2])/replies", token: token, body: #"{"body":"Try this.","sendVariant":"waiting"}"#)
            #expect(replied == .created)
            let staying = try await kit.agent()
            try await kit.identity("agent.membership_removed", [
                "groupID": kit.frontLineID.lowercased, "departmentID": kit.departmentID.lowercased, "userID": leaving.lowercased,
            ])
            let admin = try await kit.administratorToken()
            for id in ids[0...1] {
                let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: admin)
                #expect(ticket["agentID"] as? String == staying.lowercased)
                #expect(ticket["pinned"] as? Bool == false)
            }
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[1])", token: token).0 == .notFound, "no longer in the group")
            let (_, _, waiting) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[2])", token: admin)
            #expect(waiting["agentID"] as? String == leaving.lowercased && waiting["status"] as? String == "waiting")
            let (answered, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ids[2])/messages", token: customer.token, body: #"{"body":"Still broken."}"#)
            #expect(answered == .created)
            let (_, _, moved) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[2])", token: admin)
            #expect(moved["agentID"] as? String == staying.lowercased && moved["status"] as? String == "active")
            let new = try await kit.submit(client, token: customer.token, subject: "Later")
            #expect(new["agentID"] as? String == staying.lowercased)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.agent_groups WHERE agent_id = '\(leaving.lowercased)'") == 0)
        }
    }
}
