import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

/// A department an administrator moves to another brand takes its tickets along, in batches by the timer workers.
@Suite("A department moved to another brand", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct DepartmentBrandMoveTests {
    @Test("Its tickets move to the new brand's lists and counts, each with its event, and keep their idle time; the old brand keeps none")
    func ticketsFollowTheDepartment() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let ids = [
                try #require(try await kit.submit(client, token: customer.token, subject: "One")["id"] as? String),
                try #require(try await kit.submit(client, token: customer.token, subject: "Two")["id"] as? String),
                try #require(try await kit.submit(client, token: customer.token, subject: "Three")["id"] as? String),
            ]
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ids[2])/replies", token: token, body: #"{"body":"Try this.","sendVariant":"waiting"}"#)
            let admin = try await kit.administratorToken()
            let (_, _, waitingBefore) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[2])", token: admin)
            let newBrand = UUID()
            try await kit.identity("department.updated", [
                "id": kit.departmentID.lowercased, "brandID": newBrand.lowercased, "name": "Support", "frontLineGroupID": kit.frontLineID.lowercased,
                "hiddenFromPortal": false, "version": 2,
            ])
            var batches = 0
            while try await kit.api.store.moveDepartmentTicketsToItsBrand(batchSize: 2) { batches += 1 }
            #expect(batches == 3, "three tickets in batches of two, and the empty one that ends the sweep")

            for id in ids {
                let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: admin)
                #expect(ticket["brandID"] as? String == newBrand.lowercased)
            }
            let (_, _, waitingAfter) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[2])", token: admin)
            #expect(waitingAfter["idleSince"] as? String == waitingBefore["idleSince"] as? String, "not an action on the ticket")
            let (_, _, moved) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=brand&id=\(newBrand.lowercased)&status=active", token: admin)
            #expect((moved["items"] as? [Any])?.count == 2)
            #expect((moved["counts"] as? [String: Any])?["waiting"] as? Int == 1)
            let (_, _, old) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=brand&id=\(kit.brandID.lowercased)&status=active", token: admin)
            #expect((old["items"] as? [Any])?.isEmpty == true)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE action = 'ticket.brand_changed' AND details->>'toBrandID' = '\(newBrand.lowercased)'
                """) == 3)
            #expect(try await kit.api.store.moveDepartmentTicketsToItsBrand() == false, "nothing waits")
        }
    }
}
