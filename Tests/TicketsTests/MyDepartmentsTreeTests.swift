import Auth
import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("My Departments in the navigation pane", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct MyDepartmentsTreeTests {
    @Test("A manager opens every group of the departments they manage; an agent's department counts only the groups they belong to")
    func managersAndAgents() async throws {
        try await TicketTestKit.run { client, kit in
            let (levelTwo, _) = try await SendVariantTests.levelTwo(kit)
            _ = try await kit.agent()
            let customer = try await kit.customer()
            let admin = try await kit.administratorToken()
            var ids: [String] = []
            for subject in ["One", "Two", "Three"] {
                ids.append(try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String))
            }
            for id in ids.prefix(2) {
                let (moved, _, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(id)/transfer", token: admin, body: #"{"groupID":"\#(levelTwo.lowercased)"}"#)
                #expect(moved == .ok)
            }

            let manager = try await kit.agent(handling: "pull")
            let managerToken = try await kit.token(manager, roles: ["Agent", "Manager"])
            let (listed, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=group&id=\(levelTwo.lowercased)", token: managerToken)
            #expect(listed == .ok, "a group of a department they manage, though they are no member of it")
            #expect((page["counts"] as? [String: Int])?["active"] == 2)
            let (_, _, managerTree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: managerToken)
            let department = try #require((managerTree["departments"] as? [[String: Any]])?.first)
            let groups = (department["groups"] as? [[String: Any]]) ?? []
            #expect(Set(groups.compactMap { $0["id"] as? String }) == [kit.frontLineID.lowercased, levelTwo.lowercased])
            #expect((department["counts"] as? [String: Int])?["active"] == 3, "the whole department")
            #expect(groups.first { $0["id"] as? String == levelTwo.lowercased }?["queue"] == nil, "no queue count for a group they do not take from")

            let agent = try await kit.agent(handling: "pull")
            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let (refused, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=group&id=\(levelTwo.lowercased)", token: agentToken)
            #expect(refused == .forbidden, "an agent opens only their own groups")
            let (_, _, agentTree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: agentToken)
            let own = try #require((agentTree["departments"] as? [[String: Any]])?.first)
            #expect(own["listable"] as? Bool == false)
            #expect((own["counts"] as? [String: Int])?["active"] == 1, "the front line's one ticket, not Level 2's")
            #expect(((own["groups"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [kit.frontLineID.lowercased])
        }
    }
}
