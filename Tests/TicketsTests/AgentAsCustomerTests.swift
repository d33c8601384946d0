import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Search
import Testing
import TestSupport
import TicketsApp

/// An agent may be a ticket's customer too: one who asked another department for help. Outside the ticket's group
/// they read it as its customer [S001:3091] and have the customer's part: they write to it, attach files and may
/// close it; comments, drafts, history and every agent's action stay with the agents of its group.
@Suite("An agent who is a ticket's customer", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct AgentAsCustomerTests {
    /// A customer's ticket in the kit's group, and a token of that customer as an agent of a second group.
    static func ticketOfAnAgent(
        _ client: any TestClientProtocol, _ kit: TicketTestKit, roles: [String] = ["Agent"]
    ) async throws -> (id: String, customerToken: String, otherGroup: UUID, token: String) {
        let customer = try await kit.customer()
        let id = try #require(try await kit.submit(client, token: customer.token, subject: "My laptop")["id"] as? String)
        let other = try await kit.secondGroupAgent()
        try await kit.agent(in: other.group, id: customer.id)
        let token = try await kit.token(customer.id, roles: roles, email: "customer-\(customer.id.lowercased.prefix(6))@customer.example")
        return (id, customer.token, other.group, token)
    }

    @Test("An agent of another group works on their own ticket as its customer only: agents' actions are 403, agents' records 404, nothing changes")
    func agentActionsAreRefused() async throws {
        try await TicketTestKit.run { client, kit in
            let owner = try await kit.agent()
            let ownerToken = try await kit.token(owner, roles: ["Agent"])
            let (id, customerToken, otherGroup, asAgent) = try await Self.ticketOfAnAgent(client, kit, roles: ["Agent", "Manager"])
            let spare = try #require(try await kit.submit(client, token: customerToken, subject: "My phone")["id"] as? String)
            let base = "/api/v1/tickets/\(id)"
            let (drafted, _, _) = try await TicketTestKit.send(client, .put, base + "/draft", token: ownerToken, body: #"{"bodyHTML":"<p>We will swap it.</p>"}"#)
            #expect(drafted == .ok)
            let (_, before, _) = try await TicketTestKit.send(client, .get, base, token: ownerToken)
            let history = try await kit.count("SELECT count(*)::int FROM {schema}.history")

            for (method, path, body) in [
                (HTTPRequest.Method.put, "/status", #"{"status":"closed_locked"}"#), (.put, "/priority", #"{"priority":"urgent"}"#),
                (.post, "/comments", #"{"type":"general","body":"Skip the queue"}"#), (.post, "/transfer", #"{"groupID":"\#(otherGroup.lowercased)"}"#),
                (.post, "/replies", #"{"body":"Done","sendVariant":"closed"}"#), (.put, "/pin", #"{"pinned":true}"#), (.post, "/take", ""),
                (.post, "/time-logs", #"{"minutes":5}"#), (.put, "/draft", #"{"bodyHTML":"mine now"}"#), (.delete, "", ""),
            ] {
                let (refused, headers, _) = try await TicketTestKit.send(client, method, base + path, token: asAgent, body: body)
                #expect(refused == .forbidden, "\(method) \(path)")
                #expect(headers[.contentType] == "application/problem+json")
            }
            for path in ["/draft", "/comments", "/history", "/time-logs", "/follow-up", "/forms", "/tasks"] {
                let (hidden, _, _) = try await TicketTestKit.send(client, .get, base + path, token: asAgent)
                #expect(hidden == .notFound, "GET \(path)")
            }
            let (related, _, _) = try await TicketTestKit.send(client, .get, base + "/related", token: asAgent)
            #expect(related == .forbidden)
            let (merged, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: asAgent, body: #"{"primaryID":"\#(id)","ticketIDs":["\#(spare)"]}"#)
            #expect(merged == .notFound)

            let (_, after, shown) = try await TicketTestKit.send(client, .get, base, token: ownerToken)
            #expect(after[.eTag] == before[.eTag], "nothing changed")
            #expect(shown["status"] as? String == "active" && shown["agentID"] as? String == owner.lowercased)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.history") == history)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.comments") == 0)
        }
    }

    @Test("Nor through the ticket's tasks, a link from a ticket of their own, or a search by its number")
    func noWayAround() async throws {
        let path = TicketSearchTests.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let owner = try await kit.agent()
            let ownerToken = try await kit.token(owner, roles: ["Agent"])
            let (id, _, otherGroup, asAgent) = try await Self.ticketOfAnAgent(client, kit)
            let (_, _, task) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/tasks", token: ownerToken, body: #"{"subject":"Swap the laptop"}"#)
            let taskID = try #require(task["id"] as? String)
            for path in ["", "/comments", "/time-logs"] {
                #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/\(taskID)\(path)", token: asAgent).0 == .notFound, "task\(path)")
            }
            let (patched, _, _) = try await TicketTestKit.send(client, .patch, "/api/v1/tickets/tasks/\(taskID)", token: asAgent, body: #"{"status":"completed"}"#)
            #expect(patched == .notFound)

            let (_, _, mine) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: asAgent,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","groupID":"\#(otherGroup.lowercased)","subject":"Mine","body":"x","customerEmail":"sam@customer.example"}"#)
            let mineID = try #require(mine["id"] as? String)
            for (kind, item) in [("task", taskID), ("ticket", id)] {
                let (linked, _, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(mineID)/related", token: asAgent, body: #"{"kind":"\#(kind)","itemID":"\#(item)"}"#)
                #expect(linked == .unprocessableContent, "a link to the \(kind) would open it")
            }
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/\(taskID)", token: asAgent).0 == .notFound)

            let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: ownerToken)
            let number = try #require(ticket["number"] as? String)
            try await kit.departmentSettings(["allowAllAgentsAdvancedSearch": true], version: 2)
            let (searched, _, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?number=\(number)", token: asAgent)
            #expect(searched == .ok && (found["items"] as? [[String: Any]])?.isEmpty == true, "the agents' part of it is not theirs to read")
        }
    }

    @Test("An agent of another group still writes to their own ticket, attaches a file and closes it, as its customer")
    func customersPartStays() async throws {
        try await TicketTestKit.run { client, kit in
            _ = try await kit.agent()
            let (id, _, _, asAgent) = try await Self.ticketOfAnAgent(client, kit)
            let base = "/api/v1/tickets/\(id)"
            let (wrote, _, _) = try await TicketTestKit.send(client, .post, base + "/messages", token: asAgent, body: #"{"body":"It still smokes."}"#)
            #expect(wrote == .created)
            let (attached, _) = try await AttachmentTests.upload(client, base + "/attachments?filename=photo.pdf", token: asAgent, bytes: Array("%PDF-1.4".utf8))
            #expect(attached == .created)
            let (refusedInternal, _) = try await AttachmentTests.upload(
                client, base + "/attachments?filename=notes.pdf&internal=true", token: asAgent, bytes: Array("%PDF-1.4".utf8))
            #expect(refusedInternal == .forbidden, "an internal attachment is an agent's")
            let (closed, _, ticket) = try await TicketTestKit.send(client, .post, base + "/close", token: asAgent)
            #expect(closed == .ok)
            #expect(ticket["status"] as? String == "closed")
        }
    }
}
