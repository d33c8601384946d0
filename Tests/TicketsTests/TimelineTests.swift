import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("The ticket timeline", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TimelineTests {
    @Test("The Comments tab lists the ticket's comments and those kept on its customer, sticky first, newest first, for agents only")
    func commentsTab() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let ticket = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            for (type, body) in [("general", "Checked the logs"), ("sticky", "Key account"), ("resolution", "Replaced the fuser")] {
                let (added, _, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(ticket)/comments", token: token, body: #"{"type":"\#(type)","body":"\#(body)"}"#)
                #expect(added == .created)
            }
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/replies", token: token, body: #"{"body":"On it."}"#)
            _ = try await UserCommentTests.comment(kit, on: customer.id, "Prefers phone calls", sticky: false)
            _ = try await UserCommentTests.comment(kit, on: UUID(), "Another customer's note", sticky: true)

            let (status, _, tab) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticket)/comments", token: token)
            #expect(status == .ok)
            let items = (tab["items"] as? [[String: Any]]) ?? []
            #expect(items.compactMap { ($0["comment"] as? [String: Any])?["body"] as? String }
                == ["Key account", "Replaced the fuser", "Checked the logs", "Prefers phone calls"], "the note on the customer is from December 3")
            #expect(items.compactMap { $0["kind"] as? String } == ["comment", "comment", "comment", "user_comment"])
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticket)/comments", token: customer.token).0 == .notFound)
            let withoutUsersView = try await kit.api.store.commentsTab(try #require(UUID(uuidString: ticket)), allUserComments: false)
            #expect(withoutUsersView.compactMap { $0.comment?.body } == ["Key account", "Replaced the fuser", "Checked the logs"],
                    "without Users/Organizations View, only the sticky notes on the customer, which the timeline shows too")
        }
    }

    @Test("Sticky comments lead the first page ahead of its 15 others, however many they are; the pages after show every other item once, newest first")
    func stickyCommentsAndPages() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            func comment(_ type: String, _ body: String) async throws {
                let (added, _, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(id)/comments", token: token, body: #"{"type":"\#(type)","body":"\#(body)"}"#)
                #expect(added == .created)
            }
            for index in 0..<16 { try await comment("sticky", "Pinned \(index)") }
            for index in 0..<20 { try await comment("general", "Note \(index)") }

            let (_, _, first) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let firstItems = (first["items"] as? [[String: Any]]) ?? []
            let types = firstItems.compactMap { ($0["comment"] as? [String: Any])?["type"] as? String }
            #expect(firstItems.count == 31 && types.prefix(16).allSatisfy { $0 == "sticky" }, "16 sticky comments, then 15 others")
            #expect(types.dropFirst(16).first == "general" && !types.dropFirst(16).contains("sticky"))
            let cursor = try #require(first["nextCursor"] as? String)
            let (_, _, second) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline?cursor=\(cursor)", token: token)
            let secondItems = (second["items"] as? [[String: Any]]) ?? []
            #expect(secondItems.count == 6 && second["nextCursor"] == nil, "five notes and the customer's message")
            #expect(secondItems.last?["kind"] as? String == "message")
            let others = (firstItems.dropFirst(16) + secondItems).compactMap { $0["id"] as? String }
            #expect(Set(others).count == 21 && others == others.sorted(by: >), "every other item once, newest first")
        }
    }
}
