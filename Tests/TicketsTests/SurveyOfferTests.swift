import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("The survey offered when a ticket closes", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct SurveyOfferTests {
    @Test("A survey is offered as a ticket first closes, and only if its customer wrote")
    func rule() {
        #expect(SurveyOffer.offered(from: .active, to: .closed, messagesIn: 1))
        #expect(SurveyOffer.offered(from: .waiting, to: .closedLocked, messagesIn: 2))
        #expect(!SurveyOffer.offered(from: .closed, to: .closedLocked, messagesIn: 1), "locking a closed ticket offers nothing more")
        #expect(!SurveyOffer.offered(from: .active, to: .closed, messagesIn: 0), "no incoming message, no survey")
        #expect(!SurveyOffer.offered(from: .closed, to: .active, messagesIn: 1))
    }

    @Test("Closing names the department's Survey to Offer When Closed on ticket.status_changed; locking and an agent's own ticket do not")
    func closingNamesTheSurvey() async throws {
        try await TicketTestKit.run { client, kit in
            try await kit.departmentSettings(["tickets": ["surveyToOfferWhenClosed": "after-support"]], version: 2)
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let asked = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let (_, _, outbound) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: token,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Your order","body":"x","customerEmail":"c@customer.example"}"#)
            let told = try #require(outbound["id"] as? String)
            for (id, status) in [(asked, "closed"), (asked, "closed_locked"), (told, "closed")] {
                #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"\#(status)"}"#).0 == .ok)
            }
            func offered(_ id: String) async throws -> Int {
                try await kit.count("""
                    SELECT count(*)::int FROM {schema}.history
                    WHERE ticket_id = '\(id)' AND action = 'ticket.status_changed' AND details->>'surveyID' = 'after-support'
                    """)
            }
            #expect(try await offered(asked) == 1, "on closing, not again on locking")
            #expect(try await offered(told) == 0, "the customer never wrote")
        }
    }
}
