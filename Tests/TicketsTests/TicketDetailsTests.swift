import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Change Subject and Change Email Address", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketDetailsTests {
    @Test("An agent changes the subject and the email address; the ticket, its events and later replies use the new ones")
    func changeSubjectAndEmail() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token, subject: "Help")["id"] as? String)
            let (_, opened, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)

            let (renamed, renamedHeaders, named) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/subject", token: token, ifMatch: opened[.eTag], body: #"{"subject":"  Printer on fire in room 4 "}"#)
            #expect(renamed == .ok)
            #expect(named["subject"] as? String == "Printer on fire in room 4")
            #expect(renamedHeaders[.eTag] != opened[.eTag])
            let (readdressed, _, moved) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/email", token: token, body: #"{"email":"Facilities@Customer.example"}"#)
            #expect(readdressed == .ok)
            #expect((moved["customerEmail"] as? String)?.lowercased() == "facilities@customer.example")

            let (_, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"On our way."}"#)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let reply = try #require((timeline["items"] as? [[String: Any]])?.first?["message"] as? [String: Any])
            #expect((reply["to"] as? [String])?.map { $0.lowercased() } == ["facilities@customer.example"], "later replies go to the new address")

            let (_, _, mine) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: customer.token)
            #expect(mine["subject"] as? String == "Printer on fire in room 4", "the portal user who owns the ticket keeps it")
            let events = try await kit.eventTypes()
            #expect(events.contains("ticket.subject_changed"))
            #expect(events.contains("ticket.email_changed"))
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.history WHERE action IN ('ticket.subject_changed', 'ticket.email_changed')") == 2)
        }
    }

    @Test("A reply sent with its own subject shows it in its header; the ticket keeps its subject")
    func replySubject() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token, subject: "Help")["id"] as? String)
            let (sent, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Here you go.","subject":"Your replacement printer"}"#)
            #expect(sent == .created)
            #expect(ticket["subject"] as? String == "Help")
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"And the manual."}"#)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let replies = (timeline["items"] as? [[String: Any]])?.compactMap { $0["message"] as? [String: Any] }.filter { $0["direction"] as? String == "out" } ?? []
            #expect(replies.map { $0["subject"] as? String } == [nil, "Your replacement printer"], "newest first; a reply without its own subject has none")
            let (bad, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"x","subject":" "}"#)
            #expect(bad == .unprocessableContent)
        }
    }

    @Test("An empty or multi-line subject, a malformed address, a stale ETag or a customer's attempt changes nothing")
    func refusals() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let ticket = try await kit.submit(client, token: customer.token, subject: "Help")
            let id = try #require(ticket["id"] as? String)
            let (_, opened, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/priority", token: token, body: #"{"priority":"high"}"#)
            let attempts: [(String, String, String?, String?, HTTPResponse.Status)] = [
                ("subject", #"{"subject":"   "}"#, token, nil, .unprocessableContent),
                ("subject", #"{"subject":"two\nlines"}"#, token, nil, .unprocessableContent),
                ("email", #"{"email":"not an address"}"#, token, nil, .unprocessableContent),
                ("subject", #"{"subject":"Renamed"}"#, token, opened[.eTag], .preconditionFailed),
                ("subject", #"{"subject":"Mine now"}"#, customer.token, nil, .forbidden),
                ("email", #"{"email":"me@elsewhere.example"}"#, customer.token, nil, .forbidden),
            ]
            for (field, body, caller, ifMatch, expected) in attempts {
                let (status, headers, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/\(field)", token: caller, ifMatch: ifMatch, body: body)
                #expect(status == expected, "\(field) \(body)")
                #expect(headers[.contentType] == "application/problem+json")
            }
            let (_, _, after) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(after["subject"] as? String == "Help")
            #expect(after["customerEmail"] as? String == ticket["customerEmail"] as? String)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.history WHERE action IN ('ticket.subject_changed', 'ticket.email_changed')") == 0)
        }
    }
}

@Suite("Ticket details (rules)")
struct TicketDetailRulesTests {
    @Test("A changed detail makes one event with the old and new value; the same value, or an address differing in case, makes none")
    func apply() {
        var ticket = ViewPageJSONTests.ticket("Help", agent: nil, followUp: nil, closedAt: nil)
        #expect(TicketDetail.subject("Help").apply(to: &ticket) == nil)
        let renamed = TicketDetail.subject("Printer").apply(to: &ticket)
        #expect(renamed?.type == "ticket.subject_changed")
        #expect(renamed?.details == ["from": "Help", "to": "Printer"])
        #expect(ticket.subject == "Printer")
        #expect(TicketDetail.email("LEE@customer.example").apply(to: &ticket) == nil)
        #expect(ticket.customerEmail == "lee@customer.example")
        #expect(TicketDetail.email("kim@customer.example").apply(to: &ticket)?.details == ["from": "lee@customer.example", "to": "kim@customer.example"])
    }
}
