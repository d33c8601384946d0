import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Drafts and time logs", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct WorkRecordTests {
    @Test("A ticket keeps one draft, a new one replaces it; time logs are billable by the department's default and need a known category")
    func draftsAndTimeLogs() async throws {
        try await TicketTestKit.run { client, kit in
            try await kit.identity("department.updated", [
                "id": kit.departmentID.lowercased, "brandID": kit.brandID.lowercased, "name": "Support", "frontLineGroupID": kit.frontLineID.lowercased,
                "version": 2, "settings": ["timeLogsBillableByDefault": true],
            ])
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/draft", token: token, body: #"{"bodyHTML":"<p>first</p>"}"#)
            _ = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/draft", token: token, body: #"{"bodyHTML":"<p>second</p><script>x</script>"}"#)
            let (_, _, draft) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/draft", token: token)
            #expect(draft["bodyHTML"] as? String == "<p>second</p>")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.drafts") == 1)

            let admin = try await kit.administratorToken()
            let (_, _, category) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/time-log-categories", token: admin, body: #"{"name":"Research"}"#)
            let categoryID = try #require(category["id"] as? String)
            let (logged, _, log) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":25,"categoryID":"\#(categoryID)","description":"Reproduced"}"#)
            #expect(logged == .created)
            #expect(log["billable"] as? Bool == true, "the department's default")
            let (unknown, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":5,"categoryID":"\#(UUID().uuidString)"}"#)
            #expect(unknown == .unprocessableContent)
            let (zero, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":0}"#)
            #expect(zero == .unprocessableContent)
            let (_, _, logs) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/time-logs", token: token)
            #expect((logs["items"] as? [[String: Any]])?.count == 1)
            let (customerView, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/time-logs", token: customer.token)
            #expect(customerView == .notFound)
            #expect(try await kit.eventTypes().contains("ticket.timelog_created"))
        }
    }
}
