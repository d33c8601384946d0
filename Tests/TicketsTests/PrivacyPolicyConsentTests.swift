import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import Testing
import TestSupport

@testable import TicketsApp

/// Brand settings, Portal → Ticket and Chat Privacy Policy URL: when enabled, "a message on the Ticket and Chat
/// submission pages that a user must consent to prior to actually submitting a ticket" [S001:5832].
@Suite("Privacy policy consent on portal submissions", .serialized)
struct PrivacyPolicyConsentTests {
    @Test("Only a brand with its privacy policy enabled asks for consent, and only of portal visitors")
    func whoConsents() throws {
        let asked = BrandPortalSettings(privacyPolicyURL: "https://demo.example/privacy")
        #expect(throws: Problem.self) { try asked.checkConsent(nil, byAgent: false) }
        #expect(throws: Problem.self) { try asked.checkConsent(false, byAgent: false) }
        try asked.checkConsent(true, byAgent: false)
        try asked.checkConsent(nil, byAgent: true)
        try BrandPortalSettings().checkConsent(nil, byAgent: false)
    }

    /// Announces the kit brand's portal privacy policy, as identity does.
    static func privacyPolicy(enabled: Bool, version: Int, _ kit: TicketTestKit) async throws {
        try await kit.brandSettings(["portal": ["privacyPolicyEnabled": enabled, "privacyPolicyURL": "https://demo.example/privacy"]], version: version)
    }

    @Test(
        "With the policy enabled the form links it and a submission without consent is a 422 that writes nothing; agents' tickets need none",
        .enabled(if: TestEnvironment.hasDatabase))
    func submissionsNeedConsent() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            let form = "/api/v1/tickets/departments/\(kit.departmentID.lowercased)/form"
            func submit(_ consent: String) async throws -> (HTTPResponse.Status, HTTPFields, [String: Any]) {
                try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: customer.token,
                    body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Printer","body":"It smokes."\#(consent)}"#)
            }
            #expect(try await submit("").0 == .created, "no policy, no consent asked")

            try await Self.privacyPolicy(enabled: true, version: 2, kit)
            let (_, _, shown) = try await TicketTestKit.send(client, .get, form, token: nil)
            #expect((shown["portal"] as? [String: Any])?["privacyPolicyURL"] as? String == "https://demo.example/privacy")
            let tickets = try await kit.count("SELECT count(*)::int FROM {schema}.tickets")
            for refused in ["", #","privacyPolicyConsent":false"#] {
                let (status, headers, problem) = try await submit(refused)
                #expect(status == .unprocessableContent)
                #expect(headers[.contentType] == "application/problem+json")
                #expect((problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "privacyPolicyConsent")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == tickets, "the refused submissions wrote nothing")
            #expect(try await submit(#","privacyPolicyConsent":true"#).0 == .created)
            let agent = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (byAgent, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: agent,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"lee@customer.example","subject":"Called in","body":"Blinks."}"#)
            #expect(byAgent == .created)
            let (asCustomer, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: agent,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"From the portal","body":"Testing the form."}"#)
            #expect(asCustomer == .created, "an agent on the portal's form is not asked either")

            try await Self.privacyPolicy(enabled: false, version: 3, kit)
            #expect(try await submit("").0 == .created, "a disabled policy asks nothing")
            let (_, _, plain) = try await TicketTestKit.send(client, .get, form, token: nil)
            #expect((plain["portal"] as? [String: Any])?["privacyPolicyURL"] == nil)
        }
    }
}
