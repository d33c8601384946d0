import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing
import TestSupport
import TicketsApp

@Suite("Show HTML and Raw Content of a message", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct MessageSourceTests {
    @Test("Only what making a message safe removed, and a raw email of bounded size, are worth keeping")
    func keptRules() {
        #expect(MessageSource.kept(givenHTML: nil, safeHTML: "<p>Hi</p>") == nil, "a plain-text message is its body")
        #expect(MessageSource.kept(givenHTML: "<p>Hi</p>", safeHTML: "<p>Hi</p>") == nil, "nothing was removed")
        let unsafe = #"<p onclick="steal()">Hi</p><script>alert(1)</script>"#
        #expect(MessageSource.kept(givenHTML: unsafe, safeHTML: "<p>Hi</p>")?.originalHTML == unsafe)
        let raw = "From: lee@customer.example\r\nSubject: Hi\r\n\r\nHi"
        #expect(MessageSource.kept(givenHTML: nil, safeHTML: "<p>Hi</p>", rawContent: raw) == MessageSource(originalHTML: nil, rawContent: raw))
        let huge = String(repeating: "x", count: MessageSource.maximumRawContent + 1)
        #expect(MessageSource.kept(givenHTML: nil, safeHTML: "<p>x</p>", rawContent: huge) == nil, "too long to keep; the message itself is kept")
    }

    static func source(_ client: any TestClientProtocol, _ ticket: String, _ message: String, token: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        let (status, _, body) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticket)/messages/\(message)/source", token: token)
        return (status, body)
    }

    static func messageIDs(_ client: any TestClientProtocol, _ ticket: String, token: String) async throws -> [String] {
        let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ticket)/timeline", token: token)
        return ((timeline["items"] as? [[String: Any]]) ?? []).compactMap { ($0["message"] as? [String: Any])?["id"] as? String }
    }

    @Test("Agents read the HTML a customer sent before it was made safe; customers and unknown messages get 404; a split message keeps it")
    func showHTML() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let unsafe = #"<p style=\"color:red\" onclick=\"steal()\">It smokes.</p><script>alert(1)</script>"#
            let (created, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Printer","bodyHTML":"\#(unsafe)"}"#)
            #expect(created == .created)
            let id = try #require(ticket["id"] as? String)
            let first = try #require(try await Self.messageIDs(client, id, token: token).first)
            let (status, shown) = try await Self.source(client, id, first, token: token)
            #expect(status == .ok)
            #expect(shown["htmlIsOriginal"] as? Bool == true)
            #expect((shown["html"] as? String)?.contains("<script>alert(1)</script>") == true)
            #expect(shown["rawContent"] == nil || shown["rawContent"] is NSNull)

            #expect(try await Self.source(client, id, first, token: customer.token).0 == .notFound, "agents only")
            #expect(try await Self.source(client, id, UUID().lowercased, token: token).0 == .notFound)

            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Still smokes."}"#)
            let plain = try #require(try await Self.messageIDs(client, id, token: token).first)
            let (_, safe) = try await Self.source(client, id, plain, token: token)
            #expect(safe["htmlIsOriginal"] as? Bool == false, "nothing was removed from a plain-text message")
            #expect(safe["html"] as? String == "<p>Still smokes.</p>")

            let (split, _, splitTicket) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages/\(first)/split", token: token, body: "{}")
            #expect(split == .created)
            let newID = try #require(splitTicket["id"] as? String)
            let moved = try #require(try await Self.messageIDs(client, newID, token: token).last)
            #expect((try await Self.source(client, newID, moved, token: token).1["html"] as? String)?.contains("<script>") == true)
        }
    }

    @Test("A message by email (ticket.add_message, ticket.create) keeps its raw content for agents")
    func rawContent() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
            let raw = "Received: from mx.customer.example\r\nFrom: lee@customer.example\r\nSubject: Broken\r\n\r\nIt broke."
            let command = OpenTicketCommand(
                departmentID: kit.departmentID.lowercased, customerEmail: "lee@customer.example", subject: "Broken", bodyText: "It broke.", source: "email",
                rawContent: raw)
            let bytes = try CloudEventCoding.encode(CloudEvent(source: "mail", type: OpenTicketCommand.type, subject: "x", brandid: nil, data: command))
            try await kit.database.transaction { try await handler.apply(OpenTicketCommand.type, bytes, on: $0) }
            let (_, _, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine", token: token)
            let ticket = try #require((found["items"] as? [[String: Any]])?.first)
            let id = try #require(ticket["id"] as? String), number = try #require(ticket["number"] as? String)

            let reply = "From: lee@customer.example\r\nSubject: Re: [#\(number)]\r\n\r\nStill broken."
            let message = AddTicketMessageCommand(
                ticketNumber: number, fromAddress: "lee@customer.example", subject: "Re: [#\(number)]", bodyText: "Still broken.", source: "email",
                rawContent: reply)
            let messageBytes = try CloudEventCoding.encode(
                CloudEvent(source: "mail", type: AddTicketMessageCommand.type, subject: number, brandid: nil, data: message))
            try await kit.database.transaction { try await handler.apply(AddTicketMessageCommand.type, messageBytes, on: $0) }

            let ids = try await Self.messageIDs(client, id, token: token)
            #expect(ids.count == 2)
            var raws: [String] = []
            for messageID in ids { raws.append(try await Self.source(client, id, messageID, token: token).1["rawContent"] as? String ?? "") }
            #expect(raws == [reply, raw], "newest first, each message its own email")
        }
    }
}
