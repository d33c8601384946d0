import Auth
import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import Search
import Testing
import TestSupport
import TicketsApp

@Suite("The Queue is for agents with View Queue or Access the Queue", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct QueuePermissionTests {
    /// A token for `agent` whose roles give Tickets Modify, Take and Advanced Search, and View Queue when `viewsQueue`.
    static func token(_ kit: TicketTestKit, _ agent: UUID, viewsQueue: Bool) async throws -> String {
        let modify = RoleDefinition(name: "Tickets Modify", type: .employee, grants: [.tickets: FeatureGrant(.modify), .distribution: FeatureGrant(.fullControl)])
        let options: Set<String> = viewsQueue ? ["Take", "Advanced Search", "View Queue"] : ["Take", "Advanced Search"]
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
            #expect(groups.allSatisfy { $0["listable"] as? Bool == false }, "nor a group's list, which holds its queue")
            let (list, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=queue", token: without)
            #expect(list == .forbidden)
            let (take, headers, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(queued)/take", token: without)
            #expect(take == .notFound && headers[.contentType] == "application/problem+json", "a queued ticket is not theirs to see")
            let (_, _, bulk) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: without, body: #"{"ticketIDs":["\#(second)"],"action":"take"}"#)
            #expect((bulk["items"] as? [[String: Any]])?.first?["status"] as? Int == 404)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id IS NULL") == 2, "both still wait in the Queue")

            let with = try await Self.token(kit, agent, viewsQueue: true)
            let (_, _, shown) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: with)
            #expect(shown["queue"] as? Int == 2)
            let listed = ((shown["departments"] as? [[String: Any]])?.first?["groups"] as? [[String: Any]]) ?? []
            #expect(!listed.isEmpty && listed.allSatisfy { $0["listable"] as? Bool == true })
            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(queued)/take", token: with).0 == .ok)
            let (_, _, taken) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: with, body: #"{"ticketIDs":["\#(second)"],"action":"take"}"#)
            #expect((taken["items"] as? [[String: Any]])?.first?["status"] as? Int == 200)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id = '\(agent.lowercased)'") == 2)
        }
    }

    @Test("Without View Queue an agent sees only the tickets assigned to them: not their group's list, its queued tickets nor a colleague's, by id, search, transfer or follow-up")
    func withoutViewQueueOnlyTheirOwn() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tickets-index-\(UUID().uuidString)").path
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let agent = try await kit.agent()
            let without = try await Self.token(kit, agent, viewsQueue: false)
            let customer = try await kit.customer()
            let own = try #require(try await kit.submit(client, token: customer.token, subject: "Printer mine")["id"] as? String)
            _ = try await kit.agent(active: false, id: agent)
            let colleague = try await kit.agent()
            let colleagues = try #require(try await kit.submit(client, token: customer.token, subject: "Printer theirs")["id"] as? String)
            _ = try await kit.agent(active: false, id: colleague)
            let queued = try #require(try await kit.submit(client, token: customer.token, subject: "Printer queued")["id"] as? String)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE id = '\(own)' AND agent_id = '\(agent.lowercased)'") == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE id = '\(colleagues)' AND agent_id = '\(colleague.lowercased)'") == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE id = '\(queued)' AND agent_id IS NULL") == 1)

            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(own)", token: without).0 == .ok)
            for id in [colleagues, queued] {
                #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: without).0 == .notFound)
                #expect(try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(id)/transfer", token: without, body: #"{"agentID":"\#(agent.lowercased)"}"#).0 == .notFound)
                #expect(try await TicketTestKit.send(
                    client, .put, "/api/v1/tickets/\(id)/follow-up", token: without, body: #"{"at":"2030-01-01T00:00:00Z"}"#).0 == .notFound)
            }
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)", token: without).0 == .forbidden)
            let (_, _, mine) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine", token: without)
            #expect((mine["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [own])
            let (_, _, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?status=active", token: without)
            #expect((found["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } == [own], "search finds only theirs")
            let with = try await Self.token(kit, agent, viewsQueue: true)
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(queued)", token: with).0 == .ok)
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)", token: with).0 == .ok)
            try await kit.indexer?.index.destroy()
        }
    }
}
