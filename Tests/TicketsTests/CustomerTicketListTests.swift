import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport

@testable import TicketsApp

@Suite("The portal's list of a customer's own tickets", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct CustomerTicketListTests {
    /// Every page of the customer's list (with `query`), two tickets a page.
    static func walk(_ client: any TestClientProtocol, token: String, query: String = "") async throws -> [String] {
        try await walkPages { cursor in
            let uri = "/api/v1/tickets?view=customer&limit=2\(query)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let (status, _, page) = try await TicketTestKit.send(client, .get, uri, token: token)
            #expect(status == .ok)
            return (((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }, page["nextCursor"] as? String)
        }
    }

    @Test("The list holds the account's tickets, those under the confirmed address and those shared, newest first, page by page")
    func ownAddressedAndSharedTickets() async throws {
        try await TicketTestKit.run(countsKept: false) { client, kit in
            let user = UUID()
            let roles = [PredefinedRoles.registeredUser, PredefinedRoles.registeredUserWithVerifiedEmail]
            let token = try await kit.token(user, roles: roles, email: "lee@customer.example")
            try await kit.identity("user.created", ["userID": user.lowercased, "email": "lee@customer.example", "displayName": "Lee", "emailVerified": true])
            var own: [String] = []
            for index in 0..<4 { own.append(try #require(try await kit.submit(client, token: token, subject: "Own \(index)")["id"] as? String)) }
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (_, _, addressed) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: agentToken,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","customerEmail":"Lee@Customer.example","subject":"Your renewal","body":"Due."}"#)
            let other = try await kit.customer()
            var others: [String] = []
            for index in 0..<5 { others.append(try #require(try await kit.submit(client, token: other.token, subject: "Other \(index)")["id"] as? String)) }
            let sam = UUID()
            let samToken = try await kit.token(sam, roles: roles, email: "sam@customer.example")
            try await kit.identity("user.created", ["userID": sam.lowercased, "email": "sam@customer.example", "displayName": "Sam", "emailVerified": true])
            // Shared tickets: Lee's by account only (an earlier address) and by address only; Sam's by account, the
            // newest under two earlier addresses (two rows for one ticket).
            let participants = kit.database.table("ticket_participants")
            func shares(_ ticket: String, _ email: String, _ account: UUID?) -> String {
                "INSERT INTO \(participants) (ticket_id, email, user_id) VALUES ('\(ticket)', '\(email)', \(account.map { "'\($0.lowercased)'" } ?? "NULL"))"
            }
            try await kit.database.run([
                shares(others[0], "lee-old@customer.example", user),
                shares(others[1], "lee@customer.example", nil),
                shares(others[2], "sam-old@customer.example", sam),
                shares(others[3], "sam-old@customer.example", sam),
                shares(others[4], "sam-old@customer.example", sam),
                shares(others[4], "sam-older@customer.example", sam),
                "UPDATE \(kit.database.table("tickets")) SET deleted_at = now() WHERE id = '\(own[3])'",
            ])
            let expected = ([try #require(addressed["id"] as? String), others[0], others[1]] + own.prefix(3)).sorted(by: >)
            #expect(try await Self.walk(client, token: token) == expected)
            #expect(try await Self.walk(client, token: token, query: "&q=own") == own.prefix(3).sorted(by: >), "by subject")
            #expect(try await Self.walk(client, token: samToken) == others.suffix(3).sorted(by: >), "a ticket shared twice is listed once")
            #expect(try await Self.walk(client, token: other.token) == others.sorted(by: >))
        }
    }
}
