import Auth
import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("The Queue is for agents with View Queue or Access the Queue", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct QueuePermissionTests {
    /// A token for `agent` whose roles give Tickets Modify and Take, and View Queue when `viewsQueue`.
    static func token(_ kit: TicketTestKit, _ agent: UUID, viewsQueue: Bool) async throws -> String {
        let modify = RoleDefinition(name: "Tickets Modify", type: .employee, grants: [.tickets: FeatureGrant(.modify), .distribution: FeatureGrant(.fullControl)])
        let options: Set<String> = viewsQueue ? ["Take", "View Queue"] : ["Take"]
        let takers = RoleDefinition(name: "Takers", type: .employee, grants: [.tickets: .custom(options)])
        var principal = kit.principal(agent, roles: ["Agent"])
        principal.permissions = EffectivePermissions.combine([modify, takers])
        return try await kit.tokens.sign(principal)
    }

    @Test("Without View Queue an agent sees no Queue count, and neither Take nor Get From Queue pulls a queued ticket; with it both do")
    func queueNeedsViewQueue() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent(handling: "pull")
            let queued = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let second = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let without = try await Self.token(kit, agent, viewsQueue: false)

            let (_, _, tree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: without)
            #expect(tree["queue"] == nil, "no Queue in the navigation pane")
            let groups = ((tree["departments"] as? [[String: Any]])?.first?["groups"] as? [[String: Any]]) ?? []
            #expect(!groups.isEmpty && groups.allSatisfy { $0["queue"] == nil }, "no group's queue count either")
            let (list, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=queue", token: without)
            #expect(list == .forbidden)
            let (take, headers, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(queued)/take", token: without)
            #expect(take == .forbidden && headers[.contentType] == "application/problem+json")
            let (_, _, bulk) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: without, body: #"{"ticketIDs":["\#(second)"],"action":"take"}"#)
            #expect((bulk["items"] as? [[String: Any]])?.first?["status"] as? Int == 403)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id IS NULL") == 2, "both still wait in the Queue")

            let with = try await Self.token(kit, agent, viewsQueue: true)
            let (_, _, shown) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: with)
            #expect(shown["queue"] as? Int == 2)
            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(queued)/take", token: with).0 == .ok)
            let (_, _, taken) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: with, body: #"{"ticketIDs":["\#(second)"],"action":"take"}"#)
            #expect((taken["items"] as? [[String: Any]])?.first?["status"] as? Int == 200)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(agent.lowercased)'") == 2)
        }
    }
}
