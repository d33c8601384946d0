import Contracts
import Database
import Foundation
import HTTPTypes
import Logging
import Testing
import TestSupport
import TicketsApp

@Suite("What ticket events tell reports", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketEventDetailsTests {
    @Test("A Send and Transfer reply is reported where it was written, not where the ticket went")
    func replyKeepsItsPlace() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (level2, _) = try await SendVariantTests.levelTwo(kit)
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let (sent, _, moved) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: token,
                body: #"{"body":"Over to level 2.","sendVariant":"transfer","transfer":{"groupID":"\#(level2.lowercased)"}}"#)
            #expect(sent == .created)
            #expect(moved["groupID"] as? String == level2.lowercased)
            let replied = try await kit.lastEventDetails("ticket.replied")
            #expect(replied["groupID"] == kit.frontLineID.lowercased && replied["departmentID"] == kit.departmentID.lowercased)
            #expect(replied["brandID"] == kit.brandID.lowercased)
        }
    }

    @Test("A new ticket's event names where it came from: the portal (web), an agent, or the channel of a command")
    func creationSource() async throws {
        try await TicketTestKit.run { client, kit in
            _ = try await kit.submit(client, token: try await kit.customer().token)
            #expect(try await kit.lastEventDetails("ticket.created")["source"] == "web")
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (created, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Your order","body":"It ships today."}"#)
            #expect(created == .created)
            #expect(try await kit.lastEventDetails("ticket.created")["source"] == "agent")
            let command = OpenTicketCommand(
                departmentID: kit.departmentID.lowercased, customerEmail: "lee@customer.example", subject: "By mail", bodyText: "Hello", source: "email")
            let bytes = try CloudEventCoding.encode(CloudEvent(source: "mail", type: OpenTicketCommand.type, subject: "By mail", brandid: nil, data: command))
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            try await kit.database.transaction { try await handler.apply(OpenTicketCommand.type, bytes, on: $0) }
            #expect(try await kit.lastEventDetails("ticket.created")["source"] == "email")
        }
    }

    @Test("A deleted ticket's event names the status it had and who deleted it; its purge's says when and by whom")
    func deletionNamesStatus() async throws {
        try await TicketTestKit.run { client, kit in
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let administrator = UUID()
            let admin = try await kit.token(administrator, roles: ["Administrator"])
            #expect(try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)", token: admin).0 == .noContent)
            #expect(try await kit.lastEventDetails("ticket.deleted")["previousStatus"] == "active")
            #expect((try await kit.lastEventData("ticket.deleted")["ticket"] as? [String: Any])?["deletedBy"] as? String == administrator.lowercased)
            #expect(try await TimerWorker(store: kit.api.store, logger: Logger(label: "timers")).runOne(now: Date().addingTimeInterval(91 * 86_400)))
            let purged = try #require(try await kit.lastEventData("ticket.purged")["ticket"] as? [String: Any])
            #expect(purged["deletedAt"] is String && purged["deletedBy"] as? String == administrator.lowercased)
        }
    }

    @Test("Time log events carry the log's minutes, billable flag and category as it is after the change")
    func timeLogDetails() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let (_, _, category) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/time-log-categories", token: admin, body: #"{"name":"Investigation"}"#)
            let categoryID = try #require(category["id"] as? String)
            let (_, _, log) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":30,"billable":false}"#)
            let path = "/api/v1/tickets/\(id)/time-logs/\(try #require(log["id"] as? String))"
            #expect(try await TicketTestKit.send(
                client, .patch, path, token: token, body: #"{"categoryID":"\#(categoryID)","billable":true}"#).0 == .ok)
            let modified = try await kit.lastEventDetails("ticket.timelog_modified")
            #expect(modified["categoryID"] == categoryID && modified["billable"] == "true" && modified["minutes"] == "30")
            #expect(try await TicketTestKit.send(client, .delete, path, token: token).0 == .noContent)
            let deleted = try await kit.lastEventDetails("ticket.timelog_deleted")
            #expect(deleted["categoryID"] == categoryID && deleted["billable"] == "true" && deleted["minutes"] == "30")
        }
    }
}
