import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport
import TicketsApp

@Suite("Idempotent submissions and messages through the API", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct IdempotentRequestTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    static func body(_ kit: TicketTestKit, subject: String = "Printer on fire", email: String? = nil) -> String {
        let from = email.map { #","email":"\#($0)""# } ?? ""
        return #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"\#(subject)","body":"It smokes."\#(from)}"#
    }

    /// Rows a submission writes: tickets, messages, events and keys.
    static func written(_ kit: TicketTestKit) async throws -> [Int] {
        var counts: [Int] = []
        for table in ["tickets", "messages", "outbox", "request_keys"] { counts.append(try await kit.count("SELECT count(*)::int FROM {schema}.\(table)")) }
        return counts
    }

    @Test("A submission sent again with its Idempotency-Key answers the first ticket and writes nothing more")
    func retryReplays() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            let (status, headers, first) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token, body: Self.body(kit), headers: [Self.key: "retry-1"])
            #expect(status == .created)
            #expect(headers[Self.replayed] == nil)
            let after = try await Self.written(kit)
            #expect(after == [1, 1, after[2], 1] && after[2] > 0)
            for _ in 0..<2 {
                let (again, againHeaders, ticket) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: customer.token, body: Self.body(kit), headers: [Self.key: "retry-1"])
                #expect(again == .created)
                #expect(againHeaders[Self.replayed] == "true")
                #expect(ticket["id"] as? String == first["id"] as? String)
                #expect(ticket["number"] as? String == first["number"] as? String)
                #expect(againHeaders[.location] == "/api/v1/tickets/\(first["id"] as? String ?? "")")
            }
            #expect(try await Self.written(kit) == after)
            let (_, _, plain) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: customer.token, body: Self.body(kit))
            #expect(plain["id"] as? String != first["id"] as? String, "without a key, a second submission is a second ticket")
        }
    }

    @Test("The key with a different request is a 422 that writes nothing; another caller's same key makes its own ticket")
    func differentRequestOrCaller() async throws {
        try await TicketTestKit.run { client, kit in
            let alice = try await kit.customer()
            let bob = try await kit.customer()
            let (_, _, first) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: alice.token, body: Self.body(kit), headers: [Self.key: "k-7"])
            let before = try await Self.written(kit)
            let (status, headers, problem) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: alice.token, body: Self.body(kit, subject: "Printer still on fire"), headers: [Self.key: "k-7"])
            #expect(status == .unprocessableContent)
            #expect(headers[.contentType] == "application/problem+json")
            #expect((problem["detail"] as? String)?.contains("Idempotency-Key") == true)
            #expect(try await Self.written(kit) == before)
            let (bobStatus, bobHeaders, bobs) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: bob.token, body: Self.body(kit), headers: [Self.key: "k-7"])
            #expect(bobStatus == .created)
            #expect(bobHeaders[Self.replayed] == nil)
            #expect(bobs["id"] as? String != first["id"] as? String)
        }
    }

    @Test("Anonymous portal submissions replay by key too, and a malformed key is a 400 that writes nothing")
    func anonymousAndMalformed() async throws {
        try await TicketTestKit.run { client, kit in
            let body = Self.body(kit, email: "walk-in@customer.example")
            let (_, _, first) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: body, headers: [Self.key: "anon-1"])
            let (status, headers, again) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: body, headers: [Self.key: "anon-1"])
            #expect(status == .created)
            #expect(headers[Self.replayed] == "true")
            #expect(again["id"] as? String == first["id"] as? String)
            let before = try await Self.written(kit)
            let (bad, badHeaders, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: nil, body: body, headers: [Self.key: "has spaces"])
            #expect(bad == .badRequest)
            #expect(badHeaders[.contentType] == "application/problem+json")
            #expect(try await Self.written(kit) == before)
        }
    }

    @Test("Twenty simultaneous submissions with one key make one ticket: each is answered with it, or told to send again (409)")
    func simultaneous() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let (status, _, ticket) = try await TicketTestKit.send(
                            client, .post, "/api/v1/tickets", token: customer.token, body: Self.body(kit), headers: [Self.key: "burst"])
                        return (status, ticket["id"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 1)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.request_keys") == 1)
            let ids = Set(answers.compactMap { $0.0 == .created ? $0.1 : nil })
            #expect(ids.count == 1)
            #expect(answers.allSatisfy { $0.0 == .created || $0.0 == .conflict })
            let (status, _, retried) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: customer.token, body: Self.body(kit), headers: [Self.key: "burst"])
            #expect(status == .created)
            #expect(ids.contains(retried["id"] as? String ?? ""))
        }
    }

    @Test("A customer's message sent again with its key is written once, even after the ticket was closed and locked; the key with another message is a 422")
    func messages() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let other = try #require(try await kit.submit(client, token: customer.token, subject: "Scanner too")["id"] as? String)
            let message = #"{"body":"Still smokes."}"#
            let (sent, sentHeaders, first) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: message, headers: [Self.key: "m-1"])
            #expect(sent == .created)
            #expect(sentHeaders[Self.replayed] == nil)
            let after = try await Self.written(kit)
            let (again, againHeaders, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: message, headers: [Self.key: "m-1"])
            #expect(again == .created)
            #expect(againHeaders[Self.replayed] == "true")
            #expect(ticket["version"] as? Int == first["version"] as? Int)
            #expect(try await Self.written(kit) == after)

            for (uri, body) in [("/api/v1/tickets/\(id)/messages", #"{"body":"Something else."}"#), ("/api/v1/tickets/\(other)/messages", message)] {
                let (refused, refusedHeaders, _) = try await TicketTestKit.send(client, .post, uri, token: customer.token, body: body, headers: [Self.key: "m-1"])
                #expect(refused == .unprocessableContent, "\(uri) \(body)")
                #expect(refusedHeaders[.contentType] == "application/problem+json")
            }
            #expect(try await Self.written(kit) == after)

            let (locked, _, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/\(id)/status", token: agentToken, body: #"{"status":"closed_locked"}"#)
            #expect(locked == .ok)
            let lockedCounts = try await Self.written(kit)
            let (late, lateHeaders, lateTicket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: message, headers: [Self.key: "m-1"])
            #expect(late == .created, "the message was taken before the lock; its retry is answered, not refused")
            #expect(lateHeaders[Self.replayed] == "true")
            #expect(lateTicket["status"] as? String == "closed_locked")
            #expect(try await Self.written(kit) == lockedCounts)
            let (fresh, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: message, headers: [Self.key: "m-2"])
            #expect(fresh == .conflict, "a new message to a closed and locked ticket is still refused")
        }
    }

    @Test("An agent's reply sent again with its key, even with the If-Match it was first sent with, is written once; the key with another reply is a 422")
    func replies() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let (_, readHeaders, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: agentToken)
            let etag = try #require(readHeaders[.eTag])
            let reply = #"{"body":"Unplug it.","sendVariant":"waiting"}"#
            let (sent, sentHeaders, first) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: agentToken, ifMatch: etag, body: reply, headers: [Self.key: "r-1"])
            #expect(sent == .created)
            #expect(sentHeaders[Self.replayed] == nil)
            #expect(first["status"] as? String == "waiting")
            let after = try await Self.written(kit)
            let (again, againHeaders, ticket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: agentToken, ifMatch: etag, body: reply, headers: [Self.key: "r-1"])
            #expect(again == .created, "the retry carries the stale ETag of the first try and is answered, not 412")
            #expect(againHeaders[Self.replayed] == "true")
            #expect(ticket["version"] as? Int == first["version"] as? Int)
            #expect(try await Self.written(kit) == after)
            let (other, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: agentToken, body: #"{"body":"Unplug it now."}"#, headers: [Self.key: "r-1"])
            #expect(other == .unprocessableContent)
            let (stale, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: agentToken, ifMatch: etag, body: reply, headers: [Self.key: "r-2"])
            #expect(stale == .preconditionFailed, "a new key with a stale ETag is still a 412")
            #expect(try await Self.written(kit) == after)
        }
    }

    @Test("A file uploaded again with its key is stored once and answers the first attachment; the key with other bytes is a 422")
    func uploads() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            func upload(_ bytes: String, key: String) async throws -> (HTTPResponse.Status, HTTPFields, [String: Any]) {
                try await client.execute(
                    uri: "/api/v1/tickets/\(id)/attachments?filename=invoice.pdf", method: .post,
                    headers: [.authorization: "Bearer \(customer.token)", .contentType: "application/pdf", Self.key: key],
                    body: ByteBuffer(string: bytes)
                ) { response in
                    (response.status, response.headers, ((try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]) ?? [:])
                }
            }
            let (sent, sentHeaders, first) = try await upload("%PDF-1.4 invoice", key: "u-1")
            #expect(sent == .created)
            #expect(sentHeaders[Self.replayed] == nil)
            let stored = try await kit.count("SELECT count(*)::int FROM {schema}.attachments")
            let events = try await kit.count("SELECT count(*)::int FROM {schema}.outbox")
            let (again, againHeaders, replayed) = try await upload("%PDF-1.4 invoice", key: "u-1")
            #expect(again == .created)
            #expect(againHeaders[Self.replayed] == "true")
            #expect(replayed["id"] as? String == first["id"] as? String)
            #expect(replayed["size"] as? Int == first["size"] as? Int)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.attachments") == stored)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.outbox") == events)
            let (other, otherHeaders, _) = try await upload("%PDF-1.4 another invoice", key: "u-1")
            #expect(other == .unprocessableContent)
            #expect(otherHeaders[.contentType] == "application/problem+json")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.attachments") == stored)
            let (fresh, _, second) = try await upload("%PDF-1.4 invoice", key: "u-2")
            #expect(fresh == .created)
            #expect(second["id"] as? String != first["id"] as? String, "a new key is a new file")
        }
    }
}
