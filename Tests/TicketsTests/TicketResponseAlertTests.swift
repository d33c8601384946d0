import Foundation
import HTTPTypes
import Testing
import TestSupport

@Suite("Portal alerts: Ticket Response", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketResponseAlertTests {
    @Test("An agent's reply that leaves the ticket Waiting alerts its customer until they read the ticket or write to it")
    func replyAlertsUntilRead() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let ticket = try await kit.submit(client, token: customer.token, subject: "Printer")
            let id = try #require(ticket["id"] as? String)
            let other = try #require(try await kit.submit(client, token: customer.token, subject: "Scanner")["id"] as? String)
            func alerts(_ token: String) async throws -> [String] {
                let (status, _, body) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/alerts", token: token)
                #expect(status == .ok)
                return (body["items"] as? [[String: Any]])?.compactMap { $0["ticketID"] as? String } ?? []
            }
            func reply(_ ticketID: String, _ variant: String) async throws {
                let (status, _, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(ticketID)/replies", token: token, body: #"{"body":"Try this.","sendVariant":"\#(variant)"}"#)
                #expect(status == .created)
            }
            #expect(try await alerts(customer.token).isEmpty)
            try await reply(id, "waiting")
            try await reply(other, "active")
            #expect(try await alerts(customer.token) == [id], "a reply that marks the ticket waiting, not one that leaves it active")
            #expect(try await alerts(try await kit.customer().token).isEmpty, "another customer has none")

            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline?limit=0", token: customer.token).0 == .unprocessableContent)
            #expect(try await alerts(customer.token) == [id], "a refused read shows nothing, so settles nothing")
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: customer.token).0 == .ok)
            #expect(try await alerts(customer.token).isEmpty, "reading the ticket settles it")
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token).0 == .ok)
            try await reply(id, "waiting")
            #expect(try await alerts(customer.token) == [id], "the next reply alerts again")
            let (wrote, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Done."}"#)
            #expect(wrote == .created)
            #expect(try await alerts(customer.token).isEmpty, "writing back makes it Active again")
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/alerts", token: nil).0 == .unauthorized)
        }
    }
}
