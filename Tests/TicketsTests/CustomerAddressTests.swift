import Auth
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("A customer's tickets by their confirmed address", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct CustomerAddressTests {
    @Test("A customer sees, answers and closes the tickets submitted under their address once they confirm it, and not after it changes")
    func ticketsUnderTheConfirmedAddress() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let (opened, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: agentToken,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"Lee@Customer.example","subject":"Your renewal","body":"Due soon."}"#)
            #expect(opened == .created)
            let id = try #require(ticket["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/comments", token: agentToken, body: #"{"body":"Internal note"}"#)
            let user = UUID()
            let roles = [PredefinedRoles.registeredUser, PredefinedRoles.registeredUserWithVerifiedEmail]
            let token = try await kit.token(user, roles: roles, email: "lee@customer.example")
            let someoneElse = try await kit.token(UUID(), roles: roles, email: "lee@customer.example")

            func listed(_ token: String) async throws -> [String] {
                let (_, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=customer", token: token)
                return ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            }
            try await kit.identity("user.created", ["userID": user.lowercased, "email": "lee@customer.example", "displayName": "Lee", "emailVerified": false])
            #expect(try await listed(token).isEmpty, "an unconfirmed address shows nothing")
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token).0 == .notFound)

            try await kit.identity("user.email_verified", ["userID": user.lowercased, "email": "lee@customer.example"])
            #expect(try await listed(token) == [id])
            let (read, _, shown) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            #expect(read == .ok)
            #expect(((shown["items"] as? [[String: Any]]) ?? []).allSatisfy { $0["kind"] as? String != "comment" }, "read as its customer")
            let (answered, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: token, body: #"{"body":"Thanks, renewing."}"#)
            #expect(answered == .created)
            #expect(try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/close", token: token).0 == .ok)
            #expect(try await listed(someoneElse).isEmpty, "another account claiming the address without confirming it sees nothing")

            try await kit.identity("user.updated", ["userID": user.lowercased, "email": "lee@elsewhere.example", "displayName": "Lee", "emailVerified": false])
            #expect(try await listed(token).isEmpty, "a changed address is unconfirmed again")
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token).0 == .notFound)
        }
    }

    @Test("A customer who signed up on the portal (user.registered) and confirmed the address sees the tickets under it")
    func registeredCustomerConfirms() async throws {
        try await TicketTestKit.run { client, kit in
            let user = UUID()
            try await kit.identity("user.registered", [
                "id": user.lowercased, "email": "sam@customer.example", "displayName": "Sam", "roles": [PredefinedRoles.registeredUser],
            ])
            #expect(try await kit.api.store.verifiedEmail(of: user) == nil)
            try await kit.identity("user.email_verified", ["userID": user.lowercased, "email": "sam@customer.example"])
            #expect(try await kit.api.store.verifiedEmail(of: user) == "sam@customer.example")
        }
    }
}
