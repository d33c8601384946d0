import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import TestSupport
import TicketsApp

@Suite("By Agent", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct ByAgentViewTests {
    @Test("Managers open the lists of agents whose departments they all manage, administrators anyone's; agents only their own")
    func whoSeesWhom() async throws {
        try await TicketTestKit.run { client, kit in
            let worker = try await kit.agent()
            let manager = try await kit.agent(handling: "pull")
            let peer = try await kit.agent(handling: "pull")
            let otherDepartment = UUID(), otherGroup = UUID()
            try await kit.identity("department.created", [
                "id": otherDepartment.lowercased, "brandID": kit.brandID.lowercased, "name": "Billing", "frontLineGroupID": otherGroup.lowercased,
                "hiddenFromPortal": false, "version": 1,
            ])
            try await kit.identity("group.created", ["id": otherGroup.lowercased, "departmentID": otherDepartment.lowercased, "name": "Billing Desk"])
            let elsewhere = try await Self.member(kit, of: otherGroup, in: otherDepartment)
            let both = try await kit.agent(handling: "pull")
            try await Self.member(kit, of: otherGroup, in: otherDepartment, agent: both)

            let customer = try await kit.customer()
            for subject in ["Bravo", "Alpha", "Charlie"] { _ = try await kit.submit(client, token: customer.token, subject: subject) }
            let managerToken = try await kit.token(manager, roles: ["Agent", "Manager"])
            let peerToken = try await kit.token(peer, roles: ["Agent"])
            let admin = try await kit.administratorToken()

            let (status, _, list) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=agent&id=\(worker.lowercased)", token: managerToken)
            #expect(status == .ok)
            #expect((list["items"] as? [[String: Any]])?.compactMap { $0["agentID"] as? String } == Array(repeating: worker.lowercased, count: 3))
            #expect((list["counts"] as? [String: Int]) == ["active": 3, "waiting": 0, "closed": 0])
            let (_, _, sorted) = try await TicketTestKit.send(
                client, .get, "/api/v1/tickets?view=agent&id=\(worker.lowercased)&sort=subject", token: managerToken)
            #expect((sorted["items"] as? [[String: Any]])?.compactMap { $0["subject"] as? String } == ["Alpha", "Bravo", "Charlie"])

            for (token, agent) in [(peerToken, worker), (managerToken, elsewhere), (managerToken, both)] {
                let (refused, headers, problem) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=agent&id=\(agent.lowercased)", token: token)
                #expect(refused == .forbidden)
                #expect(headers[.contentType] == "application/problem+json")
                #expect(problem["detail"] is String)
            }
            let (own, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=agent&id=\(peer.lowercased)", token: peerToken)
            #expect(own == .ok)
            let (anyone, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=agent&id=\(both.lowercased)", token: admin)
            #expect(anyone == .ok)
            let (missing, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=agent", token: admin)
            #expect(missing == .badRequest)

            let (_, _, managerTree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: managerToken)
            let listed = (managerTree["agents"] as? [[String: Any]]) ?? []
            #expect(Set(listed.compactMap { $0["id"] as? String }) == [worker.lowercased, manager.lowercased, peer.lowercased])
            #expect((listed.first { $0["id"] as? String == worker.lowercased }?["counts"] as? [String: Int])?["active"] == 3)
            let (_, _, peerTree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: peerToken)
            #expect((peerTree["agents"] as? [[String: Any]])?.isEmpty == true, "an agent who manages nothing has no By Agent")
            let (_, _, adminTree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: admin)
            #expect((adminTree["agents"] as? [[String: Any]])?.count == 5)
        }
    }

    @Test("An agent who moved to another department keeps their waiting tickets: that department's managers no longer open their list")
    func ticketsLeftBehind() async throws {
        try await TicketTestKit.run { client, kit in
            let mover = try await kit.agent()
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token, subject: "Old department")["id"] as? String)
            let moverToken = try await kit.token(mover, roles: ["Agent"])
            let (waiting, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: moverToken, body: #"{"body":"Try this.","sendVariant":"waiting"}"#)
            #expect(waiting == .created)
            let billing = UUID(), desk = UUID()
            try await kit.identity("department.created", [
                "id": billing.lowercased, "brandID": kit.brandID.lowercased, "name": "Billing", "frontLineGroupID": desk.lowercased,
                "hiddenFromPortal": false, "version": 1,
            ])
            try await kit.identity("group.created", ["id": desk.lowercased, "departmentID": billing.lowercased, "name": "Billing Desk"])
            try await Self.member(kit, of: desk, in: billing, agent: mover)
            try await kit.identity("agent.membership_removed", [
                "groupID": kit.frontLineID.lowercased, "departmentID": kit.departmentID.lowercased, "userID": mover.lowercased,
            ])
            let billingManager = try await Self.member(kit, of: desk, in: billing)
            let billingToken = try await kit.token(billingManager, roles: ["Agent", "Manager"])
            let (refused, _, list) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=agent&id=\(mover.lowercased)", token: billingToken)
            #expect(refused == .forbidden, "the list would show a ticket of a department they do not manage: \(list)")
            let (_, _, tree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: billingToken)
            #expect(!((tree["agents"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == mover.lowercased })

            let both = try await Self.member(kit, of: desk, in: billing)
            try await Self.member(kit, of: kit.frontLineID, in: kit.departmentID, agent: both)
            let bothToken = try await kit.token(both, roles: ["Agent", "Manager"])
            let (opened, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=agent&id=\(mover.lowercased)&status=waiting", token: bothToken)
            #expect(opened == .ok && (page["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])

            // Closing the ticket and deleting it leaves the agent's list to Billing's managers again.
            let admin = try await kit.administratorToken()
            #expect(try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)", token: admin).0 == .noContent)
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=agent&id=\(mover.lowercased)", token: billingToken).0 == .ok)
        }
    }

    @Test("In an installation of 500 agents or more By Agent is neither offered nor opened, but one's own list still opens")
    func largeInstallations() async throws {
        try await TicketTestKit.run { client, kit in
            let worker = try await kit.agent()
            let admin = try await kit.administratorToken()
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=agent&id=\(worker.lowercased)", token: admin).0 == .ok)
            try await kit.database.client.query(PostgresQuery(unsafeSQL: """
                INSERT INTO \(kit.database.table("agent_groups")) (group_id, agent_id, department_id, handling, active)
                SELECT '\(kit.frontLineID.lowercased)', gen_random_uuid(), '\(kit.departmentID.lowercased)', 'pull', false FROM generate_series(1, 499)
                """)).consume()
            let (refused, _, problem) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=agent&id=\(worker.lowercased)", token: admin)
            #expect(refused == .forbidden && (problem["detail"] as? String)?.contains("500") == true)
            let (_, _, tree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: admin)
            #expect((tree["agents"] as? [[String: Any]])?.isEmpty == true)
            let (own, _, _) = try await TicketTestKit.send(
                client, .get, "/api/v1/tickets?view=agent&id=\(worker.lowercased)", token: try await kit.token(worker, roles: ["Agent"]))
            #expect(own == .ok)
        }
    }

    @Test("The rule: one's own list, every list for those who see everything, a manager's only where every department is theirs")
    func rule() {
        let departments: Set<String> = ["d1", "d2"]
        let manager = TicketCaller(principal: Self.principal(scope: .memberDepartments), groups: ["g1"], departments: ["d1", "d2"])
        #expect(manager.mayListAgent("someone", departments: ["d1"]))
        #expect(manager.mayListAgent("someone", departments: departments))
        #expect(!manager.mayListAgent("someone", departments: ["d1", "d3"]))
        #expect(!manager.mayListAgent("someone", departments: []), "an agent of no department is nobody's to list")
        let agent = TicketCaller(principal: Self.principal(scope: .ownGroups), groups: ["g1"], departments: ["d1"])
        #expect(!agent.mayListAgent("someone", departments: ["d1"]))
        #expect(agent.mayListAgent(agent.principal.userID, departments: ["d1"]))
        #expect(TicketCaller(principal: Self.principal(scope: .everything), groups: [], departments: []).mayListAgent("someone", departments: ["d9"]))
    }

    static func principal(scope: AccessScope) -> Principal {
        Principal(
            userID: UUID().lowercased, email: "x@example.com", sessionID: "s", roles: [], isSystemAdministrator: false,
            permissions: EffectivePermissions.combine([]), scope: scope)
    }

    /// An agent (new unless given) in a group of another department, as identity announces the membership.
    @discardableResult
    static func member(_ kit: TicketTestKit, of group: UUID, in department: UUID, agent: UUID = UUID()) async throws -> UUID {
        try await kit.identity("agent.membership_changed", [
            "groupID": group.lowercased, "departmentID": department.lowercased, "userID": agent.lowercased, "ticketHandling": "pull",
            "maxTickets": NSNull(), "excludedChannels": [String](), "ticketsActive": true,
        ])
        return agent
    }
}
