import Contracts
import EventBus
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("Agent status events", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(20)))
struct AgentStatusEventsTests {
    @Test("A status change by the agent and one by an administrator are agent.status_changed events on identity.events")
    func statusChangesReachTheTopic() async throws {
        try await withFleet { fleet in
            let admin = try await fleet.signIn()
            let host = [("Host", "demo.localhost")]
            let auth = host + [("Authorization", "Bearer \(admin)")]
            let brand = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "demo.localhost")
            let brandID = try #require(brand.json?["id"] as? String)
            let department = try await TestHTTP.shared.send(
                .POST, fleet.gatewayURL + "/api/v1/identity/departments", headers: auth, json: ["brandID": brandID, "name": "Support"])
            #expect(department.status == 201)
            let groupID = try #require(department.json?["frontLineGroupID"] as? String)
            try await fleet.concierge(["create-user", "--email", "agent@demo.localhost", "--password", "agent-password"])
            let agentToken = try await fleet.signIn(email: "agent@demo.localhost", password: "agent-password")
            let me = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/me", host: "demo.localhost", headers: [("Authorization", "Bearer \(agentToken)")])
            let agentID = try #require(me.json?["userID"] as? String)
            let membership = try await TestHTTP.shared.send(
                .PUT, fleet.gatewayURL + "/api/v1/identity/groups/\(groupID)/members/\(agentID)", headers: auth, json: ["ticketHandling": "primary"])
            #expect(membership.status == 200)
            let statusURL = fleet.gatewayURL + "/api/v1/identity/agents/\(agentID)/status"
            let own = try await TestHTTP.shared.send(
                .PUT, statusURL, headers: host + [("Authorization", "Bearer \(agentToken)")],
                json: ["groupID": groupID, "channel": "tickets", "active": true])
            #expect(own.status == 200)
            let byAdmin = try await TestHTTP.shared.send(.PUT, statusURL, headers: auth, json: ["groupID": groupID, "channel": "tickets", "active": false])
            #expect(byAdmin.status == 200)
            let events = try await fleet.brandEvents(subject: agentID, atLeast: 3)
            let statusEvents = events.filter { $0.type == "agent.status_changed" }
            #expect(statusEvents.count == 2)
            let messages = try await TopicReader.read(brokers: fleet.brokers, topic: ServiceName.identity.eventsTopic, timeout: .seconds(10)) { messages in
                messages.filter { (try? CloudEventCoding.decodeHeader($0.value))?.type == "agent.status_changed" }.count >= 2
            }
            let changes = messages.compactMap { message -> [String: Any]? in
                guard (try? CloudEventCoding.decodeHeader(message.value))?.type == "agent.status_changed",
                    let object = try? JSONSerialization.jsonObject(with: Data(message.value)) as? [String: Any]
                else { return nil }
                return object["data"] as? [String: Any]
            }
            #expect(changes.compactMap { $0["active"] as? Bool } == [true, false])
            #expect(changes.compactMap { $0["changedBy"] as? String }.first == agentID)
        }
    }
}
