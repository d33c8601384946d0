import Auth
import Database
import Fleet
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import KnowledgeApp
import PostgresNIO
import Testing

@Suite("Canned replies")
struct CannedReplyTests {
    static func titles(_ text: String) -> Set<String> {
        Set((KnowledgeTestKit.json(text)["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String } ?? [])
    }

    /// Puts `agent` in `department` through `group`, as identity's `agent.membership_changed` would (or takes them out
    /// of the group, as `agent.membership_removed` would).
    static func join(
        _ kit: KnowledgeTestKit, agent: UUID, department: UUID, group: UUID = UUID(), type: String = "agent.membership_changed"
    ) async throws {
        let event = #"{"data":{"groupID":"\#(group.uuidString)","departmentID":"\#(department.uuidString)","userID":"\#(agent.uuidString)"}}"#
        try await kit.database.client.withConnection { connection in
            try await AgentDepartments(database: kit.database).apply(type, Array(event.utf8), on: connection)
        }
    }

    @Test("An agent removed from the department's group no longer uses the replies assigned to the department")
    func removedFromGroup() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let (alice, support, group) = (UUID(), UUID(), UUID())
            try await Self.join(kit, agent: alice, department: support, group: group)
            let token = try await kit.token(userID: alice)
            _ = try await Self.create(client, token: token, [
                "title": "Support hours", "bodyHTML": "<p>We answer 9 to 5.</p>", "assignedTo": ["type": "department", "id": support.uuidString]])
            func titles() async throws -> Set<String> {
                Self.titles(try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/canned-replies", brand: nil, token: token).2)
            }
            #expect(try await titles() == ["Support hours"])
            try await Self.join(kit, agent: alice, department: support, group: group, type: "agent.membership_removed")
            #expect(try await titles().isEmpty)
        }
    }

    @Test("An agent whose group moves to another department uses that department's replies, not the old one's")
    func groupMovedDepartment() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let (alice, support, billing, group) = (UUID(), UUID(), UUID(), UUID())
            try await Self.join(kit, agent: alice, department: support, group: group)
            let token = try await kit.token(userID: alice)
            for (title, department) in [("Support hours", support), ("Invoice copies", billing)] {
                _ = try await Self.create(client, token: token, [
                    "title": title, "bodyHTML": "<p>\(title)</p>", "assignedTo": ["type": "department", "id": department.uuidString]])
            }
            func titles() async throws -> Set<String> {
                Self.titles(try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/canned-replies", brand: nil, token: token).2)
            }
            #expect(try await titles() == ["Support hours"])
            let moved = #"{"data":{"id":"\#(group.uuidString)","departmentID":"\#(billing.uuidString)","name":"Level 2"}}"#
            try await kit.database.client.withConnection { connection in
                try await AgentDepartments(database: kit.database).apply("group.updated", Array(moved.utf8), on: connection)
            }
            #expect(try await titles() == ["Invoice copies"])
        }
    }

    static func create(_ client: any TestClientProtocol, token: String, _ fields: [String: Any]) async throws -> String {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        let (status, _, reply) = try await KnowledgeTestKit.send(client, .post, "/api/v1/knowledge/canned-replies", brand: nil, token: token, body: body)
        #expect(status == .created, "\(reply)")
        return try #require(KnowledgeTestKit.json(reply)["id"] as? String)
    }

    @Test("Agents use replies assigned to them, to their departments and to everyone; drafts and other channels only when asked")
    func visibility() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let alice = UUID()
            let bob = UUID()
            let support = UUID()
            try await Self.join(kit, agent: alice, department: support)
            let aliceToken = try await kit.token(userID: alice)
            let bobToken = try await kit.token(userID: bob)
            _ = try await Self.create(client, token: aliceToken, ["title": "Greeting", "bodyHTML": "<p>Hello!</p>"])
            let mine = try await Self.create(client, token: aliceToken, [
                "title": "Alice's sign-off", "bodyHTML": "<p>Cheers, Alice</p>", "assignedTo": ["type": "agent", "id": alice.uuidString]])
            _ = try await Self.create(client, token: aliceToken, [
                "title": "Support hours", "bodyHTML": "<p>We answer 9 to 5.</p>", "assignedTo": ["type": "department", "id": support.uuidString]])
            _ = try await Self.create(client, token: aliceToken, ["title": "Unfinished", "bodyHTML": "<p>…</p>", "isDraft": true])
            _ = try await Self.create(client, token: aliceToken, ["title": "Chat wave", "bodyHTML": "<p>👋</p>", "replyType": "chats"])

            func list(_ token: String, _ query: String = "") async throws -> Set<String> {
                Self.titles(try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/canned-replies\(query)", brand: nil, token: token).2)
            }
            #expect(try await list(aliceToken) == ["Greeting", "Alice's sign-off", "Support hours", "Chat wave"])
            #expect(try await list(bobToken) == ["Greeting", "Chat wave"], "not Alice's own, not her department's, not drafts")
            #expect(try await list(aliceToken, "?mine=true") == ["Alice's sign-off"])
            #expect(try await list(aliceToken, "?channel=ticket") == ["Greeting", "Alice's sign-off", "Support hours"])
            #expect(try await list(aliceToken, "?includeDrafts=true").contains("Unfinished"))
            let (hidden, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/canned-replies/\(mine)", brand: nil, token: bobToken)
            #expect(hidden == .notFound)
            let customer = try await kit.token(roles: ["Registered User"])
            let (denied, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/canned-replies", brand: nil, token: customer)
            #expect(denied == .forbidden)
            let (bad, _, problem) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/canned-replies", brand: nil, token: aliceToken,
                body: #"{"title":"","bodyHTML":"x","assignedTo":{"type":"agent"}}"#)
            #expect(bad == .unprocessableContent && problem.contains("assignedTo.id") && problem.contains("title"))
        }
    }

    @Test("Rendering fills in a ticket's variables escaped, names the missing ones, and refuses a chat-only reply in a ticket")
    func render() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let agent = try await kit.token()
            let reply = try await Self.create(client, token: agent, [
                "title": "Refund issued", "bodyHTML": "<p>Hello #CustomerName#, ticket #TicketNumber# is refunded. #Signature#</p>"])
            let (status, _, body) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/canned-replies/\(reply)/render", brand: nil, token: agent,
                body: #"{"channel":"ticket","variables":{"CustomerName":"<Lee>","TicketNumber":"ABC-12345678-0001"}}"#)
            #expect(status == .ok)
            let rendered = KnowledgeTestKit.json(body)
            #expect(rendered["html"] as? String == "<p>Hello &lt;Lee&gt;, ticket ABC-12345678-0001 is refunded. </p>")
            #expect(rendered["missing"] as? [String] == ["Signature"])
            let chat = try await Self.create(client, token: agent, ["title": "Wave", "bodyHTML": "<p>Hi</p>", "replyType": "chats"])
            let (refused, _, _) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/canned-replies/\(chat)/render", brand: nil, token: agent, body: #"{"channel":"ticket"}"#)
            #expect(refused == .unprocessableContent)
        }
    }

    @Test("Search puts title matches first; an edit keeps a reply in its folder; deleting a folder deletes the replies in it")
    func searchAndFolders() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let agent = try await kit.token()
            let shipping = try await Self.create(client, token: agent, ["title": "Shipping delays", "bodyHTML": "<p>Your refund is on its way.</p>"])
            let refund = try await Self.create(client, token: agent, ["title": "Refund policy", "bodyHTML": "<p>Thirty days.</p>"])
            for id in [shipping, refund].compactMap(UUID.init(uuidString:)) { try await kit.cannedIndexer.reindex(id) }
            let (_, _, found) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/canned-replies?q=refund", brand: nil, token: agent)
            #expect((KnowledgeTestKit.json(found)["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Refund policy", "Shipping delays"])

            let (_, _, folderBody) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/canned-reply-folders", brand: nil, token: agent, body: #"{"name":"Billing"}"#)
            let folder = try #require(KnowledgeTestKit.json(folderBody)["id"] as? String)
            let inFolder = try await Self.create(client, token: agent, ["title": "Invoice copy", "bodyHTML": "<p>Attached.</p>", "folderID": folder])
            let (_, _, childBody) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/canned-reply-folders", brand: nil, token: agent, body: #"{"name":"Refunds","parentID":"\#(folder)"}"#)
            let child = try #require(KnowledgeTestKit.json(childBody)["id"] as? String)
            let (loop, _, _) = try await KnowledgeTestKit.send(
                client, .patch, "/api/v1/knowledge/canned-reply-folders/\(folder)", brand: nil, token: agent, body: #"{"parentID":"\#(child)"}"#)
            #expect(loop == .unprocessableContent, "a folder never moves under itself")
            let (renamed, _, renamedBody) = try await KnowledgeTestKit.send(
                client, .patch, "/api/v1/knowledge/canned-reply-folders/\(child)", brand: nil, token: agent, body: #"{"name":"Refund requests","parentID":null}"#)
            #expect(renamed == .ok)
            #expect(KnowledgeTestKit.json(renamedBody)["name"] as? String == "Refund requests" && KnowledgeTestKit.json(renamedBody)["parentID"] == nil)
            let (edited, _, editedBody) = try await KnowledgeTestKit.send(
                client, .put, "/api/v1/knowledge/canned-replies/\(inFolder)", brand: nil, token: agent,
                body: #"{"title":"Invoice copy","bodyHTML":"<p>Attached again.</p>"}"#)
            #expect(edited == .ok && KnowledgeTestKit.json(editedBody)["folderID"] as? String == folder, "an edit that leaves the folder out keeps it")
            let admin = try await kit.token(roles: ["Administrator"])
            let (deleted, _, _) = try await KnowledgeTestKit.send(client, .delete, "/api/v1/knowledge/canned-reply-folders/\(folder)", brand: nil, token: admin)
            #expect(deleted == .noContent)
            let (gone, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/canned-replies/\(inFolder)", brand: nil, token: agent)
            #expect(gone == .notFound)
        }
    }

    @Test("Only #Name# words are variables: other hash signs stay")
    func variables() {
        let reply = CannedReply(
            id: "x", folderID: nil, title: "t", bodyHTML: "<p>Order #1 of # items: #Name#, see #a b#</p>", bodyText: "", assignedTo: .everyone,
            isDraft: false, replyType: .ticketsAndChats, language: "en", createdBy: nil, createdAt: Date(), updatedAt: Date(), deletedAt: nil, staleAt: Date(), version: 1)
        let rendered = CannedReplyRules.render(reply, values: ["Name": "Kim", "1": "one"])
        #expect(rendered.html == "<p>Order #1 of # items: Kim, see #a b#</p>")
    }

    @Test("A value filled into a style cannot add CSS: the filled reply is sanitized again")
    func valuesInStylesStayColours() {
        let reply = CannedReply(
            id: "x", folderID: nil, title: "t", bodyHTML: #"<p style="color:#Name#">Hi &amp; welcome</p>"#, bodyText: "", assignedTo: .everyone,
            isDraft: false, replyType: .ticketsAndChats, language: "en", createdBy: nil, createdAt: Date(), updatedAt: Date(), deletedAt: nil, staleAt: Date(), version: 1)
        let rendered = CannedReplyRules.render(reply, values: ["Name": "red;background-image:url(//evil.example/p)"])
        #expect(rendered.html == #"<p style="color: red">Hi &amp; welcome</p>"#)
        #expect(CannedReplyRules.render(reply, values: ["Name": "navy"]).html == #"<p style="color: navy">Hi &amp; welcome</p>"#)
    }
}
