import Foundation
import HTTPTypes
import Auth
import Contracts
import Testing

@testable import TicketsApp

@Suite("Related items")
struct RelatedItemTests {
    @Test("Two related tickets show each other, statuses stay, and bad links are refused with nothing written")
    func relateTickets() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let first = try #require(try await kit.submit(client, token: customer.token, subject: "Printer")["id"] as? String)
            let second = try #require(try await kit.submit(client, token: customer.token, subject: "Printer again")["id"] as? String)
            let chat = UUID().lowercased
            let (_, secondBefore, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(second)", token: token)

            let (added, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(first)/related", token: token, body: #"{"kind":"ticket","itemID":"\#(second)"}"#)
            #expect(added == .created)
            #expect(ticket["status"] as? String == "active", "adding a related item changes no status")
            let (_, secondAfter, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(second)", token: token)
            #expect(secondAfter[.eTag] != secondBefore[.eTag], "the other ticket changed too")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE ticket_id = '\(second)' AND action = 'ticket.related_added' AND details->>'itemID' = '\(first)'
                  AND actor_id = '\(agent.lowercased)'
                """) == 1, "its history says who linked it")
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(first)/related", token: token, body: #"{"kind":"chat","itemID":"\#(chat)"}"#)
            let (_, _, firstItems) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(first)/related", token: token)
            let listed = firstItems["items"] as? [[String: Any]] ?? []
            #expect(Set(listed.compactMap { $0["itemID"] as? String }) == [second, chat])
            let summary = listed.first { $0["itemID"] as? String == second }?["summary"] as? [String: Any]
            #expect(summary?["subject"] as? String == "Printer again" && summary?["status"] as? String == "active")
            #expect((summary?["number"] as? String)?.count == 17, "the related ticket shows its number, subject and status")
            #expect(listed.first { $0["itemID"] as? String == chat }?["summary"] == nil, "chats are another service's")
            let (_, _, secondItems) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(second)/related", token: token)
            #expect((secondItems["items"] as? [[String: Any]])?.compactMap { $0["itemID"] as? String } == [first], "the link points both ways")

            let (again, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(first)/related", token: token, body: #"{"kind":"ticket","itemID":"\#(second)"}"#)
            #expect(again == .conflict)
            let (itself, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(first)/related", token: token, body: #"{"kind":"ticket","itemID":"\#(first)"}"#)
            #expect(itself == .unprocessableContent)
            let (unknown, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(first)/related", token: token, body: #"{"kind":"ticket","itemID":"\#(UUID().lowercased)"}"#)
            #expect(unknown == .unprocessableContent)
            let (badKind, _, problem) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(first)/related", token: token, body: #"{"kind":"fax","itemID":"nope"}"#)
            #expect(badKind == .unprocessableContent)
            #expect((problem["errors"] as? [[String: Any]])?.count == 2)
            let (customerAsks, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(first)/related", token: customer.token)
            #expect(customerAsks == .forbidden)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.related_items") == 3)

            let (removed, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(second)/related/ticket/\(first)", token: token)
            #expect(removed == .ok)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.related_items") == 1, "both directions go; the chat stays")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE ticket_id = '\(first)' AND action = 'ticket.related_removed' AND details->>'itemID' = '\(second)'
                """) == 1, "the other side's history says it went")
            let (gone, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(second)/related/ticket/\(first)", token: token)
            #expect(gone == .notFound)
            #expect(try await kit.eventTypes().contains("ticket.related_added"))
        }
    }

    @Test("The tab lists the ticket's time logs and files beside what is linked, in the order they came; they are not linked or unlinked there")
    func timeLogsAndFiles() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let chat = UUID().lowercased
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/related", token: token, body: #"{"kind":"chat","itemID":"\#(chat)"}"#)
            let (logged, _, log) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":25,"subject":"Remote session"}"#)
            #expect(logged == .created)
            let (uploaded, file) = try await AttachmentTests.upload(
                client, "/api/v1/tickets/\(id)/attachments?filename=trace.pdf&internal=true", token: token, bytes: [1, 2, 3])
            #expect(uploaded == .created)

            let (_, _, tab) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/related", token: token)
            let items = tab["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["kind"] as? String } == ["chat", "time_log", "file"])
            #expect(items.compactMap { $0["itemID"] as? String } == [chat, try #require(log["id"] as? String), try #require(file["id"] as? String)])
            let logSummary = items[1]["summary"] as? [String: Any], fileSummary = items[2]["summary"] as? [String: Any]
            #expect(logSummary?["subject"] as? String == "Remote session" && logSummary?["minutes"] as? Int == 25)
            #expect(fileSummary?["subject"] as? String == "trace.pdf" && fileSummary?["size"] as? Int == 3, "an internal file too: the tab is agents'")
            #expect(items[1]["addedBy"] as? String == agent.lowercased)

            let (linked, _, problem) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/related", token: token, body: #"{"kind":"time_log","itemID":"\#(UUID().lowercased)"}"#)
            #expect(linked == .unprocessableContent && (problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "kind")
            let (unlinked, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)/related/file/\(file["id"] as? String ?? "")", token: token)
            #expect(unlinked == .unprocessableContent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.attachments") == 1, "the file stays")
        }
    }

    @Test("An agent whose role lacks Add Related Item or Add Task on tickets is refused both (403), and removing a link too; nothing is written")
    func ticketPermissions() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let customer = try await kit.customer()
            let first = try #require(try await kit.submit(client, token: customer.token, subject: "Printer")["id"] as? String)
            let second = try #require(try await kit.submit(client, token: customer.token, subject: "Printer again")["id"] as? String)
            let limited = RoleDefinition(
                name: "Replies only", type: .employee,
                grants: [.tickets: .custom(["Reply", "Add Comment"]), .tasks: FeatureGrant(.fullControl), .distribution: FeatureGrant(.fullControl)])
            var principal = kit.principal(agent, roles: ["Agent"])
            principal.permissions = EffectivePermissions.combine([limited])
            let token = try await kit.tokens.sign(principal)
            let (related, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(first)/related", token: token, body: #"{"kind":"ticket","itemID":"\#(second)"}"#)
            #expect(related == .forbidden)
            let (task, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(first)/tasks", token: token, body: #"{"subject":"Call back"}"#)
            #expect(task == .forbidden)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.related_items") == 0)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tasks") == 0)
            let full = try await kit.token(agent, roles: ["Agent"])
            #expect(try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(first)/related", token: full, body: #"{"kind":"ticket","itemID":"\#(second)"}"#).0 == .created)
            let (unlinked, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(first)/related/ticket/\(second)", token: token)
            #expect(unlinked == .forbidden, "nor may they remove a link")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.related_items") == 2)
        }
    }

    @Test("A purged ticket leaves the related items of the tickets linked to it, each told in its history")
    func purgedTicketLeavesItsLinks() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let customer = try await kit.customer()
            let kept = try #require(try await kit.submit(client, token: customer.token, subject: "Printer")["id"] as? String)
            let purged = try #require(try await kit.submit(client, token: customer.token, subject: "Printer again")["id"] as? String)
            let (added, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(kept)/related", token: token, body: #"{"kind":"ticket","itemID":"\#(purged)"}"#)
            #expect(added == .created)
            let (deleted, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(purged)", token: admin)
            #expect(deleted == .noContent)
            #expect(try await TicketTimerTests.worker(kit).runOne(now: Date().addingTimeInterval(91 * 86_400)))
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE id = '\(purged)'") == 0)

            let (_, _, items) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(kept)/related", token: token)
            #expect((items["items"] as? [[String: Any]])?.isEmpty == true, "no link to a ticket that is gone")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE ticket_id = '\(kept)' AND action = 'ticket.related_removed' AND details->>'itemID' = '\(purged)'
                  AND actor_kind = 'system'
                """) == 1, "the kept ticket's history says the link went")
        }
    }
}
