import Auth
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("A department's portal submission settings", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct PortalSubmissionTests {
    @Test("The portal's form carries the department's messages and knowledge base search; requiring a verified email refuses visitors and unverified users")
    func verifiedEmailAndMessages() async throws {
        try await TicketTestKit.run { client, kit in
            try await kit.identity("department.updated", [
                "id": kit.departmentID.lowercased, "brandID": kit.brandID.lowercased, "name": "Support", "frontLineGroupID": kit.frontLineID.lowercased,
                "version": 2,
                "settings": ["tickets": [
                    "requireVerifiedEmailToStartTickets": true, "searchKnowledgeBaseBeforeSubmission": false,
                    "messageBeforeSubmission": "Have your order number ready.", "messageAfterSubmission": "We answer within a day.",
                ]],
            ])
            let (read, _, form) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/departments/\(kit.departmentID.lowercased)/form", token: nil)
            #expect(read == .ok)
            #expect((form["portal"] as? [String: Any])?["messageBefore"] as? String == "Have your order number ready.")
            #expect((form["portal"] as? [String: Any])?["messageAfter"] as? String == "We answer within a day.")
            #expect((form["portal"] as? [String: Any])?["searchKnowledgeBase"] as? Bool == false)
            #expect((form["portal"] as? [String: Any])?["requireVerifiedEmail"] as? Bool == true)

            let body = #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Order","body":"x","email":"visitor@customer.example"}"#
            let (anonymous, headers, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: body)
            #expect(anonymous == .unauthorized)
            #expect(headers[.contentType] == "application/problem+json")
            let (unverified, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: try await kit.customer().token, body: body)
            #expect(unverified == .forbidden)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0, "refusals write nothing")
            let verified = try await kit.token(UUID(), roles: [PredefinedRoles.registeredUser, PredefinedRoles.registeredUserWithVerifiedEmail])
            for (field, value) in [("priority", #""urgent""#), ("status", #""closed""#), ("agentID", #""auto""#), ("customerEmail", #""boss@customer.example""#), ("pin", "true")] {
                let withAgentField = #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Order","body":"x","\#(field)":\#(value)}"#
                let (refused, _, problem) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: verified, body: withAgentField)
                #expect(refused == .forbidden && (problem["detail"] as? String)?.contains(field) == true, "a customer's \(field) is refused, not dropped")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0)
            let (made, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: verified, body: body)
            #expect(made == .created)
        }
    }
}
