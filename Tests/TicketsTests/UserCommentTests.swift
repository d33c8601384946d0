import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Sticky user comments on the customer's tickets", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct UserCommentTests {
    static func comment(_ kit: TicketTestKit, on user: UUID, _ body: String, sticky: Bool) async throws -> UUID {
        let id = UUID()
        try await kit.identity("user.comment_added", [
            "id": id.lowercased, "subjectKind": "user", "subjectID": user.lowercased, "authorID": UUID().lowercased, "body": body,
            "sticky": sticky, "createdAt": "2026-12-03T10:00:00.000Z",
        ])
        return id
    }

    static func userComments(_ client: any TestClientProtocol, _ ticket: String, token: String) async throws -> [String] {
        let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticket)/timeline", token: token)
        return ((timeline["items"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "user_comment" }.compactMap {
            ($0["comment"] as? [String: Any])?["body"] as? String
        }
    }

    @Test("A user's sticky comments lead the agents' timeline of their tickets; unsticking or deleting one removes it; customers never see them")
    func stickyCommentsLeadTheTimeline() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let ticket = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/replies", token: token, body: #"{"body":"Looking into it."}"#)
            let sticky = try await Self.comment(kit, on: customer.id, "VIP: answer within the hour", sticky: true)
            let plain = try await Self.comment(kit, on: customer.id, "Called on Monday", sticky: false)
            _ = try await Self.comment(kit, on: UUID(), "Another customer's note", sticky: true)

            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticket)/timeline", token: token)
            let first = try #require((timeline["items"] as? [[String: Any]])?.first)
            #expect(first["kind"] as? String == "user_comment", "the sticky user comment comes before the newer reply")
            #expect((first["comment"] as? [String: Any])?["type"] as? String == "sticky")
            #expect(try await Self.userComments(client, ticket, token: token) == ["VIP: answer within the hour"])
            #expect(try await Self.userComments(client, ticket, token: customer.token).isEmpty, "customers see messages only")

            try await kit.identity("user.comment_changed", ["commentID": plain.lowercased, "sticky": "true"])
            try await kit.identity("user.comment_changed", ["commentID": sticky.lowercased, "sticky": "false"])
            #expect(try await Self.userComments(client, ticket, token: token) == ["Called on Monday"])
            try await kit.identity("user.comment_deleted", ["commentID": plain.lowercased, "sticky": ""])
            #expect(try await Self.userComments(client, ticket, token: token).isEmpty)
        }
    }

    @Test("A ticket sent from a known user's address shows that user's sticky comments; the first page only")
    func ticketsByAddressShowTheirUsersComments() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let user = UUID()
            try await kit.identity("user.updated", ["userID": user.lowercased, "email": "Lee@Customer.example", "displayName": "Lee"])
            _ = try await Self.comment(kit, on: user, "Prefers phone calls", sticky: true)
            let (status, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Your order","body":"It ships today.","status":"active"}"#)
            #expect(status == .created)
            let id = try #require(ticket["id"] as? String)
            #expect(try await Self.userComments(client, id, token: token) == ["Prefers phone calls"])

            for index in 0..<16 {
                _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/comments", token: token, body: #"{"type":"general","body":"Note \#(index)"}"#)
            }
            let (_, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let cursor = try #require(page["nextCursor"] as? String)
            let (_, _, next) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline?cursor=\(cursor)", token: token)
            let kinds = ((next["items"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
            #expect(!kinds.isEmpty && !kinds.contains("user_comment"), "a later page repeats no sticky comment")
        }
    }
}
