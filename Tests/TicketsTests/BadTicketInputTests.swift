import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing
import TestSupport
import TicketsApp

/// Every refused request answers `application/problem+json` with a 4xx and leaves every table as it was: tickets and
/// their versions, messages, comments, attachments, uploads, custom field values, history and the outbox.
@Suite("Bad ticket input", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct BadTicketInputTests {
    /// Counts of everything a ticket request could write, the sum of the tickets' versions, the view counts and the
    /// round robin's counters.
    static func written(_ kit: TicketTestKit) async throws -> [Int] {
        var counts: [Int] = []
        for table in [
            "tickets", "messages", "comments", "attachments", "uploads", "ticket_field_values", "history", "outbox", "timers", "request_keys",
            "captcha_spent",
        ] {
            counts.append(try await kit.count("SELECT count(*)::int FROM {schema}.\(table)"))
        }
        for (expression, table) in [
            ("version", "tickets"), ("n", "ticket_counts"), ("new_active + allocated", "agent_groups"), ("new_active", "agents"),
        ] {
            counts.append(try await kit.count("SELECT coalesce(sum(\(expression)), 0)::int FROM {schema}.\(table)"))
        }
        return counts
    }

    /// Sends a request that must be refused with `expected`, as problem+json, writing nothing; answers the problem.
    @discardableResult
    static func refused(
        _ kit: TicketTestKit, _ expected: HTTPResponse.Status, _ reason: Comment,
        _ send: () async throws -> (HTTPResponse.Status, HTTPFields, [String: Any])
    ) async throws -> [String: Any] {
        let before = try await written(kit)
        let (status, headers, problem) = try await send()
        #expect(status == expected, reason)
        #expect(headers[.contentType] == "application/problem+json", reason)
        #expect(problem["status"] as? Int == expected.code, reason)
        #expect(try await written(kit) == before, reason)
        return problem
    }

    static func upload(
        _ client: any TestClientProtocol, _ path: String, token: String, bytes: [UInt8]
    ) async throws -> (HTTPResponse.Status, HTTPFields, [String: Any]) {
        try await client.execute(
            uri: path, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: bytes)
        ) { response in
            (response.status, response.headers, ((try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]) ?? [:])
        }
    }

    @Test("A subject or address of few characters but thousands of combining marks is a 422 that writes nothing")
    func combiningMarks() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer().token
            let agent = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let marks = String(String.UnicodeScalarView((0..<600).compactMap { Unicode.Scalar(0x0300 + UInt32($0 % 112)) }))
            for (token, body) in [
                (customer, #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"e\#(marks)","body":"x"}"#),
                (agent, #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Hi","body":"x","customerEmail":"a\#(marks)@example.com"}"#),
            ] {
                try await Self.refused(kit, .unprocessableContent, "combining marks") {
                    try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: token, body: body)
                }
            }
        }
    }

    @Test("A body of markup without text, a subject of invisible characters, or an address whose domain's dots do not stand between labels, is a 422 that writes nothing")
    func emptyMarkupAndStrayDots() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer().token
            let agent = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let department = kit.departmentID.lowercased
            for (token, body) in [
                (customer, #"{"departmentID":"\#(department)","subject":"Hi","bodyHTML":"<b></b>"}"#),
                (customer, #"{"departmentID":"\#(department)","subject":"\u200b\ufeff\u2060","body":"x"}"#),
                (customer, #"{"departmentID":"\#(department)","subject":"Hi","bodyHTML":"<p> </p><br><div></div>"}"#),
                (agent, #"{"departmentID":"\#(department)","subject":"Hi","body":"x","customerEmail":"a@example..com"}"#),
                (agent, #"{"departmentID":"\#(department)","subject":"Hi","body":"x","customerEmail":"a@.example.com"}"#),
            ] {
                try await Self.refused(kit, .unprocessableContent, "\(body)") {
                    try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: token, body: body)
                }
            }
            let id = try #require(try await kit.submit(client, token: customer)["id"] as? String)
            try await Self.refused(kit, .unprocessableContent, "an empty message") {
                try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer, body: #"{"bodyHTML":"<p></p><br>"}"#)
            }
            let (worded, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer, body: #"{"bodyHTML":"<p>Still <b>broken</b></p>"}"#)
            #expect(worded == .created)
        }
    }

    @Test("Oversize and forbidden attachments, on a ticket and as uploads for a new one, are 413 and 415 problems that write nothing")
    func attachments() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let oversize = [UInt8](repeating: 1, count: 2 * 1_048_576 + 1)
            for base in ["/api/v1/tickets/\(id)/attachments", "/api/v1/tickets/uploads"] {
                try await Self.refused(kit, .contentTooLarge, "oversize at \(base)") {
                    try await Self.upload(client, base + "?filename=scan.pdf", token: customer.token, bytes: oversize)
                }
                try await Self.refused(kit, .unsupportedMediaType, "forbidden type at \(base)") {
                    try await Self.upload(client, base + "?filename=tool.exe", token: customer.token, bytes: [1, 2, 3])
                }
            }
        }
    }

    @Test("An unknown status, a close its department's guard refuses and a customer's message to a locked ticket are problems that write nothing")
    func statusTransitions() async throws {
        try await TicketTestKit.run { client, kit in
            try await kit.departmentSettings(["tickets": ["requireResolutionToClose": true]], version: 2)
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let status = "/api/v1/tickets/\(id)/status"
            try await Self.refused(kit, .unprocessableContent, "an unknown status") {
                try await TicketTestKit.send(client, .put, status, token: token, body: #"{"status":"solved"}"#)
            }
            try await Self.refused(kit, .badRequest, "a body that is not JSON") {
                try await TicketTestKit.send(client, .put, status, token: token, body: #"{"status":"#)
            }
            try await Self.refused(kit, .unprocessableContent, "closing without a resolution") {
                try await TicketTestKit.send(client, .put, status, token: token, body: #"{"status":"closed"}"#)
            }
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/comments", token: token, body: #"{"type":"resolution","body":"Fixed."}"#)
            #expect(try await TicketTestKit.send(client, .put, status, token: token, body: #"{"status":"closed_locked"}"#).0 == .ok)
            try await Self.refused(kit, .conflict, "a customer's message to a Closed and Locked ticket") {
                try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Hello?"}"#)
            }
        }
    }

    @Test("A missing required custom field is a 422 problem naming it, on the customer's submit and on the agent's close, and writes nothing")
    func requiredCustomFields() async throws {
        try await TicketTestKit.run { client, kit in
            let (referrerID, _) = try await kit.requiredFieldsTemplate(client)
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let department = kit.departmentID.lowercased
            let submit = try await Self.refused(kit, .unprocessableContent, "a submit without the field customers must fill") {
                try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: customer.token, body: #"{"departmentID":"\#(department)","subject":"Hi","body":"x"}"#)
            }
            #expect((submit["errors"] as? [[String: String]])?.first?["field"] == "customFields.\(referrerID)")
            let (created, _, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token,
                body: #"{"departmentID":"\#(department)","subject":"Hi","body":"x","customFields":{"\#(referrerID)":"TV"}}"#)
            #expect(created == .created)
            let id = try #require(ticket["id"] as? String)
            let close = try await Self.refused(kit, .unprocessableContent, "a close without the field agents must fill") {
                try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: token, body: #"{"status":"closed"}"#)
            }
            #expect((close["errors"] as? [[String: String]])?.first?["message"] == "Serial number is required")
        }
    }
}
