import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing
import TestSupport
import TicketsApp

@Suite("Response times: the wait for an agent's answer, measured on each reply", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct ResponseClockTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("The wait starts at the first unanswered customer message; writing again does not restart it")
    func customerMessages() {
        let waiting = ResponseClockRules.customerWrote(ResponseClock(), at: start)
        #expect(waiting.awaitingSince == start)
        #expect(ResponseClockRules.customerWrote(waiting, at: start.addingTimeInterval(600)) == waiting)
    }

    @Test("A reply measures the wait and ends it; only the first is the first response; a reply nobody waited for measures nothing")
    func replies() throws {
        let waiting = ResponseClock(awaitingSince: start)
        let (answered, measured) = ResponseClockRules.agentReplied(waiting, at: start.addingTimeInterval(90.7))
        #expect(measured == MeasuredResponse(seconds: 90, first: true))
        #expect(answered == ResponseClock(awaitingSince: nil, firstResponseAt: start.addingTimeInterval(90.7)))
        let again = ResponseClockRules.customerWrote(answered, at: start.addingTimeInterval(200))
        #expect(ResponseClockRules.agentReplied(again, at: start.addingTimeInterval(260)).measured == MeasuredResponse(seconds: 60, first: false))
        #expect(ResponseClockRules.agentReplied(answered, at: start.addingTimeInterval(300)).measured == nil)
    }

    @Test("A transfer keeps the customer's wait but measures the new agent's response from the transfer; a wait that was over stays over")
    func transfers() {
        let moment = start.addingTimeInterval(500)
        let handed = ResponseClockRules.transferred(ResponseClock(awaitingSince: start, firstResponseAt: start), at: moment)
        #expect(handed == ResponseClock(awaitingSince: start, firstResponseAt: nil, transferredAt: moment))
        let (answered, measured) = ResponseClockRules.agentReplied(handed, at: moment.addingTimeInterval(42))
        #expect(measured == MeasuredResponse(seconds: 42, first: true))
        #expect(answered == ResponseClock(awaitingSince: nil, firstResponseAt: moment.addingTimeInterval(42)))
        #expect(ResponseClockRules.transferred(ResponseClock(awaitingSince: nil, firstResponseAt: start), at: moment) == ResponseClock())
        let later = ResponseClockRules.customerWrote(ResponseClockRules.transferred(ResponseClock(), at: start), at: moment)
        #expect(ResponseClockRules.agentReplied(later, at: moment.addingTimeInterval(60)).measured == MeasuredResponse(seconds: 60, first: true))
    }

    @Test("Replies carry responseSeconds and firstResponse; a transfer makes the next reply the new agent's first")
    func throughTheAPI() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            try await Self.backdate(kit, id, minutes: 30)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Hello?"}"#)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Here.","sendVariant":"active"}"#)
            var replies = try await Self.replies(client, id, token: token)
            let first = try #require(replies.first)
            #expect(first["firstResponse"] == "true")
            #expect((Int(first["responseSeconds"] ?? "") ?? 0) >= 1_800, "measured from the first message, not the customer's second")

            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"And more.","sendVariant":"active"}"#)
            replies = try await Self.replies(client, id, token: token)
            #expect(replies.first?["responseSeconds"] == nil, "nobody was waiting")

            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Still broken."}"#)
            let (level2, second) = try await SendVariantTests.levelTwo(kit)
            let (moved, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: token, body: #"{"groupID":"\#(level2.lowercased)"}"#)
            #expect(moved == .ok)
            let secondToken = try await kit.token(second, roles: ["Agent"])
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: secondToken, body: #"{"body":"Level 2 here."}"#)
            replies = try await Self.replies(client, id, token: secondToken)
            #expect(replies.first?["firstResponse"] == "true", "the new agent's first response")
            #expect(replies.first?["agentID"] == second.lowercased)
            #expect(replies.count == 3)
        }
    }

    @Test("A merged ticket's waiting customer waits on the primary, from the oldest unanswered message")
    func merging() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let primary = try #require(try await kit.submit(client, token: customer.token, subject: "One")["id"] as? String)
            let merged = try #require(try await kit.submit(client, token: customer.token, subject: "Two")["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(primary)/replies", token: token, body: #"{"body":"Done.","sendVariant":"active"}"#)
            try await Self.backdate(kit, merged, minutes: 45)
            let (done, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(primary)","ticketIDs":["\#(merged)"]}"#)
            #expect(done == .ok)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(primary)/replies", token: token, body: #"{"body":"And the other one."}"#)
            let replies = try await Self.replies(client, primary, token: token)
            #expect((Int(replies.first?["responseSeconds"] ?? "") ?? 0) >= 2_700)
        }
    }

    @Test("The idle alert counts from the oldest unanswered message: a customer writing again does not put it off")
    func idleAlertKeepsCounting() async throws {
        try await TicketTestKit.run { client, kit in
            _ = try await kit.agent()
            let (customer, id) = try await Self.idleTicket(client, kit, minutes: 11)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Anyone?"}"#)
            #expect(try await kit.api.store.raiseTimingAlerts() == 1)
            #expect(try await kit.eventTypes().last == "ticket.idle_warning")
        }
    }

    @Test("A transfer does not reset the idle time: an alert raised before it is not raised again for the new agent, whose response counts from the transfer")
    func transferKeepsIdleTime() async throws {
        try await TicketTestKit.run { client, kit in
            let first = try await kit.agent()
            let (_, id) = try await Self.idleTicket(client, kit, minutes: 30)
            #expect(try await kit.api.store.raiseTimingAlerts() == 1)
            let (level2, second) = try await SendVariantTests.levelTwo(kit)
            let (moved, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: try await kit.token(first, roles: ["Agent"]),
                body: #"{"groupID":"\#(level2.lowercased)"}"#)
            #expect(moved == .ok)
            #expect(try await kit.api.store.raiseTimingAlerts() == 0, "the warning stands; the idle time was not reset")
            let (_, _, shown) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: try await kit.token(second, roles: ["Agent"]))
            #expect(shown["idleAlert"] as? String == "warning")
            let secondToken = try await kit.token(second, roles: ["Agent"])
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: secondToken, body: #"{"body":"Level 2 here."}"#)
            let reply = try #require(try await Self.replies(client, id, token: secondToken).first)
            #expect(reply["firstResponse"] == "true")
            #expect((Int(reply["responseSeconds"] ?? "") ?? .max) < 600, "measured from the transfer, not from the customer's message 30 minutes ago")
        }
    }

    /// With the Idle warning at 10 minutes, a customer's ticket whose customer has waited `minutes`.
    static func idleTicket(
        _ client: any TestClientProtocol, _ kit: TicketTestKit, minutes: Int
    ) async throws -> (customer: (id: UUID, token: String), id: String) {
        let (patched, _, _) = try await TicketTestKit.send(
            client, .patch, "/api/v1/tickets/settings", token: try await kit.administratorToken(), body: #"{"idleWarningMinutes":10}"#)
        #expect(patched == .ok)
        let customer = try await kit.customer()
        let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
        try await backdate(kit, id, minutes: minutes)
        return (customer, id)
    }

    /// Moves the ticket's creation, idle time and wait `minutes` into the past.
    static func backdate(_ kit: TicketTestKit, _ id: String, minutes: Int) async throws {
        try await kit.database.client.query(PostgresQuery(unsafeSQL: """
            UPDATE \(kit.database.table("tickets")) SET created_at = created_at - interval '\(minutes) minutes',
                idle_since = idle_since - interval '\(minutes) minutes', awaiting_since = awaiting_since - interval '\(minutes) minutes'
            WHERE id = '\(id)'
            """)).consume()
    }

    /// The details of the ticket's `ticket.replied` history rows, newest first.
    static func replies(_ client: any TestClientProtocol, _ id: String, token: String) async throws -> [[String: String]] {
        let (_, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/history?limit=100", token: token)
        return ((page["items"] as? [[String: Any]]) ?? []).filter { $0["action"] as? String == "ticket.replied" }.compactMap { $0["details"] as? [String: String] }
    }
}
