import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

/// The seed: "Whenever an agent goes active in the group, the agent pool is interpreted as having changed", and each
/// agent's allocation becomes their count of open, active tickets, so a returning agent is not flooded.
@Suite("Round-robin pool reset", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct PoolResetTests {
    @Test("An agent signing back in resets the pool: the next tickets alternate instead of all going to them")
    func signingBackInResetsThePool() async throws {
        try await TicketTestKit.run { client, kit in
            let working = try await kit.agent()
            let returning = try await kit.agent()
            let session: [String: Any] = ["userID": returning.lowercased, "groupIDs": [kit.frontLineID.lowercased]]
            try await kit.identity("agent.signed_out", session)
            try await Self.sixTicketsFiveClosed(for: working, client: client, kit: kit)

            try await kit.identity("agent.signed_in", session)
            let shares = try await Self.ownersOfFourNewTickets(client: client, kit: kit)
            #expect(shares[returning] == 2 && shares[working] == 2, "both start from their open, active tickets (0 and 1)")
        }
    }

    @Test("An agent going Active in the group resets the pool: the next tickets alternate instead of all going to them")
    func goingActiveResetsThePool() async throws {
        try await TicketTestKit.run { client, kit in
            let working = try await kit.agent()
            let returning = try await kit.agent(active: false)
            try await Self.sixTicketsFiveClosed(for: working, client: client, kit: kit)

            try await kit.setActive(returning, true)
            let shares = try await Self.ownersOfFourNewTickets(client: client, kit: kit)
            #expect(shares[returning] == 2 && shares[working] == 2, "both start from their open, active tickets (0 and 1)")
        }
    }

    @Test("A new Active member of the group resets the pool as going active does")
    func aNewActiveMemberResetsThePool() async throws {
        try await TicketTestKit.run { client, kit in
            let working = try await kit.agent()
            try await Self.sixTicketsFiveClosed(for: working, client: client, kit: kit)

            let newcomer = try await kit.agent()
            let shares = try await Self.ownersOfFourNewTickets(client: client, kit: kit)
            #expect(shares[newcomer] == 2 && shares[working] == 2)
        }
    }

    @Test("Signing in while already signed in elsewhere leaves the pool as it is")
    func anotherSessionKeepsThePool() async throws {
        try await TicketTestKit.run { client, kit in
            let working = try await kit.agent()
            try await Self.sixTicketsFiveClosed(for: working, client: client, kit: kit)
            try await kit.identity("agent.signed_in", ["userID": working.lowercased, "groupIDs": [kit.frontLineID.lowercased]])
            #expect(try await kit.count("SELECT allocated FROM {schema}.agent_groups WHERE agent_id = '\(working.lowercased)'") == 6)
        }
    }

    @Test("An Active member who stops pulling from the queue and joins the round robin resets the pool as going active does")
    func leavingPullFromQueueResetsThePool() async throws {
        try await TicketTestKit.run { client, kit in
            let working = try await kit.agent()
            let puller = try await kit.agent(handling: "pull")
            try await Self.sixTicketsFiveClosed(for: working, client: client, kit: kit)

            try await kit.agent(handling: "primary", id: puller)
            let shares = try await Self.ownersOfFourNewTickets(client: client, kit: kit)
            #expect(shares[puller] == 2 && shares[working] == 2, "both start from their open, active tickets (0 and 1)")
        }
    }

    @Test("An Active agent saved Active again (My Groups saved unchanged) leaves the pool as it is")
    func activeAgainKeepsThePool() async throws {
        try await TicketTestKit.run { client, kit in
            let working = try await kit.agent()
            try await Self.sixTicketsFiveClosed(for: working, client: client, kit: kit)
            try await kit.setActive(working, true)
            #expect(try await kit.count("SELECT allocated FROM {schema}.agent_groups WHERE agent_id = '\(working.lowercased)'") == 6)
        }
    }

    @Test("A ticket transferred to a named agent counts in their round-robin share as well as toward their Max Tickets")
    func namedTransferCountsInTheShare() async throws {
        try await TicketTestKit.run { client, kit in
            let first = try await kit.agent()
            let second = try await kit.agent()
            let ticket = try await kit.submit(client, token: try await kit.customer().token)
            let id = try #require(ticket["id"] as? String)
            let owner = try #require((ticket["agentID"] as? String).flatMap(UUID.init(uuidString:)))
            let other = owner == first ? second : first
            let (moved, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: try await kit.administratorToken(),
                body: #"{"groupID":"\#(kit.frontLineID.lowercased)","agentID":"\#(other.lowercased)"}"#)
            #expect(moved == .ok)
            #expect(try await kit.count("SELECT allocated FROM {schema}.agent_groups WHERE agent_id = '\(other.lowercased)'") == 1)
            #expect(try await kit.count("SELECT new_active FROM {schema}.agent_groups WHERE agent_id = '\(other.lowercased)'") == 1)
        }
    }

    /// Six portal tickets all go to `agent` (the only one receiving), who then closes five of them.
    static func sixTicketsFiveClosed(for agent: UUID, client: any TestClientProtocol, kit: TicketTestKit) async throws {
        let customer = try await kit.customer()
        let token = try await kit.token(agent, roles: ["Agent"])
        for index in 0..<6 {
            let ticket = try await kit.submit(client, token: customer.token, subject: "Earlier \(index)")
            #expect(ticket["agentID"] as? String == agent.lowercased)
            guard index < 5, let id = ticket["id"] as? String else { continue }
            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"closed"}"#).0 == .ok)
        }
    }

    /// Four new portal tickets: how many each agent received.
    static func ownersOfFourNewTickets(client: any TestClientProtocol, kit: TicketTestKit) async throws -> [UUID: Int] {
        let customer = try await kit.customer()
        var shares: [UUID: Int] = [:]
        for index in 0..<4 {
            let ticket = try await kit.submit(client, token: customer.token, subject: "Later \(index)")
            if let agent = (ticket["agentID"] as? String).flatMap(UUID.init(uuidString:)) { shares[agent, default: 0] += 1 }
        }
        return shares
    }
}
