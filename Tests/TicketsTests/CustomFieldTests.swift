import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Ticket custom fields and templates", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct CustomFieldTests {
    @Test("The department's template requires fields of customers on submit and of agents to close; bad values are 422 and write nothing")
    func requiredFields() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let (_, _, referrer) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/custom-fields", token: admin, body: #"{"name":"Referrer","dataType":"dropdown","options":["Magazine","TV"]}"#)
            let (_, _, serial) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/custom-fields", token: admin, body: #"{"name":"Serial number","dataType":"text"}"#)
            let referrerID = try #require(referrer["id"] as? String)
            let serialID = try #require(serial["id"] as? String)
            let (created, _, template) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/templates", token: admin,
                body: #"{"name":"Support","fields":[{"fieldID":"\#(referrerID)","visibility":"both","requiredByUsers":true,"requiredForSend":false,"requiredForClose":false,"showInCompose":false},{"fieldID":"\#(serialID)","visibility":"agents","requiredByUsers":false,"requiredForSend":false,"requiredForClose":true,"showInCompose":true}]}"#)
            #expect(created == .created)
            try await kit.identity("department.updated", [
                "id": kit.departmentID.lowercased, "brandID": kit.brandID.lowercased, "name": "Support", "frontLineGroupID": kit.frontLineID.lowercased,
                "version": 2, "settings": ["tickets": ["customFieldTemplateID": try #require(template["id"] as? String)]],
            ])
            let agent = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let path = "/api/v1/tickets"
            let department = kit.departmentID.lowercased
            let (missing, _, problem) = try await TicketTestKit.send(
                client, .post, path, token: customer.token, body: #"{"departmentID":"\#(department)","subject":"Hi","body":"x"}"#)
            #expect(missing == .unprocessableContent)
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "customFields.\(referrerID)")
            let (wrong, _, _) = try await TicketTestKit.send(
                client, .post, path, token: customer.token, body: #"{"departmentID":"\#(department)","subject":"Hi","body":"x","customFields":{"\#(referrerID)":"Radio"}}"#)
            #expect(wrong == .unprocessableContent)
            let (agentsOnly, _, _) = try await TicketTestKit.send(
                client, .post, path, token: customer.token,
                body: #"{"departmentID":"\#(department)","subject":"Hi","body":"x","customFields":{"\#(referrerID)":"TV","\#(serialID)":"SN-1"}}"#)
            #expect(agentsOnly == .unprocessableContent, "customers fill only the fields they see")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0)
            let (ok, _, ticket) = try await TicketTestKit.send(
                client, .post, path, token: customer.token, body: #"{"departmentID":"\#(department)","subject":"Hi","body":"x","customFields":{"\#(referrerID)":"TV"}}"#)
            #expect(ok == .created)
            let id = try #require(ticket["id"] as? String)
            let (closeEarly, _, closeProblem) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: agentToken, body: #"{"status":"closed"}"#)
            #expect(closeEarly == .unprocessableContent)
            #expect((closeProblem["errors"] as? [[String: String]])?.first?["message"] == "Serial number is required")
            let (filled, _, values) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/custom-fields", token: agentToken, body: #"{"\#(serialID)":"SN-42"}"#)
            #expect(filled == .ok)
            #expect(values as? [String: String] == [referrerID: "TV", serialID: "SN-42"])
            let (_, _, customerSees) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/custom-fields", token: customer.token)
            #expect(customerSees as? [String: String] == [referrerID: "TV"], "an agents-only field's value stays with agents")
            let (_, _, agentSees) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/custom-fields", token: agentToken)
            #expect(agentSees as? [String: String] == [referrerID: "TV", serialID: "SN-42"])
            let (closed, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: agentToken, body: #"{"status":"closed"}"#)
            #expect(closed == .ok)
        }
    }
}
