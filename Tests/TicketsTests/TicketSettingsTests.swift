import Auth
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Settings → Tickets: options and timing", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketSettingsTests {
    @Test("A critical threshold must come after its warning, and counts stay in range")
    func rules() throws {
        var settings = TicketSettings()
        try TicketSettingsRules.validate(settings)
        settings.idleWarningMinutes = 60
        settings.idleCriticalMinutes = 30
        settings.maxMessagesInReplies = 500
        #expect(throws: (any Error).self) { try TicketSettingsRules.validate(settings) }
    }

    @Test("Employees read the documented defaults; an administrator's merge patch changes them; with Show Agents When Transferring off neither a transfer nor a follow-up's New Agent can name another agent")
    func settingsAndTransfers() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let other = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent", "Manager"])
            let admin = try await kit.administratorToken()
            let (read, headers, defaults) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/settings", token: agentToken)
            #expect(read == .ok)
            let settings = try #require(defaults["settings"] as? [String: Any])
            #expect(settings["maxMessagesInReplies"] as? Int == 1 && settings["showAgentsWhenTransferring"] as? String == "always")
            #expect(settings["defaultReplyOption"] as? String == "reply")
            let (byAgent, _, _) = try await TicketTestKit.send(client, .patch, "/api/v1/tickets/settings", token: agentToken, body: #"{"maxMessagesInReplies":3}"#)
            #expect(byAgent == .forbidden)
            let (invalid, _, problem) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings", token: admin, body: #"{"idleWarningMinutes":60,"idleCriticalMinutes":30}"#)
            #expect(invalid == .unprocessableContent)
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "idleCriticalMinutes")
            let (changed, _, body) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings", token: admin, ifMatch: headers[.eTag],
                body: #"{"showAgentsWhenTransferring":"never","idleWarningMinutes":60}"#)
            #expect(changed == .ok && body["version"] as? Int == 2)
            #expect(try await kit.eventTypes().contains("tickets_settings.changed"))

            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let (named, _, refusal) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: agentToken,
                body: #"{"groupID":"\#(kit.frontLineID.lowercased)","agentID":"\#(other.lowercased)"}"#)
            #expect(named == .unprocessableContent, "\(refusal)")
            let (toGroup, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: agentToken, body: #"{"groupID":"\#(kit.frontLineID.lowercased)"}"#)
            #expect(toGroup == .ok)

            let due = Date().addingTimeInterval(3_600).formatted(.iso8601)
            let third = try await kit.agent()
            let (handedOn, _, followUpRefusal) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/follow-up", token: agentToken, body: #"{"at":"\#(due)","agentID":"\#(third.lowercased)"}"#)
            #expect(handedOn == .unprocessableContent, "a follow-up's New Agent transfers the ticket when due: \(followUpRefusal)")
            #expect((followUpRefusal["errors"] as? [[String: String]])?.first?["field"] == "agentID")
            let (_, _, unchanged) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: agentToken)
            #expect(unchanged["followUp"] == nil, "nothing scheduled")
            let (bulk, _, outcomes) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/bulk", token: agentToken,
                body: #"{"action":"follow_up","ticketIDs":["\#(id)"],"followUp":{"at":"\#(due)","agentID":"\#(third.lowercased)"}}"#)
            #expect(bulk == .ok && (outcomes["items"] as? [[String: Any]])?.first?["status"] as? Int == 422, "\(outcomes)")
            let (toSelf, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/follow-up", token: agentToken, body: #"{"at":"\#(due)","agentID":"\#(agent.lowercased)"}"#)
            #expect(toSelf == .ok, "taking it oneself names no other agent")
        }
    }
}
