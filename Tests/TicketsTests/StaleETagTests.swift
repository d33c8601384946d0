import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport
import TicketsApp

/// Two agents must not overwrite each other silently: every change of a ticket honours `If-Match`.
@Suite("If-Match on every ticket change", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct StaleETagTests {
    @Test("Take, pin, removing a follow-up, custom fields, a comment, a time log, delete, merge and a related item refuse a stale ETag with 412 and change nothing; the current one passes")
    func staleETagsAreRefused() async throws {
        try await TicketTestKit.run { client, kit in
            let owner = try await kit.agent()
            let manager = try await kit.token(try await kit.agent(), roles: ["Manager"])
            let customer = try await kit.customer()
            let spare = try #require(try await kit.submit(client, token: customer.token, subject: "Spare")["id"] as? String)
            let changes: [(String, HTTPRequest.Method, (String) -> String, (String) -> String)] = [
                ("take", .post, { "/api/v1/tickets/\($0)/take" }, { _ in "" }),
                ("pin", .put, { "/api/v1/tickets/\($0)/pin" }, { _ in #"{"pinned":true}"# }),
                ("remove follow-up", .delete, { "/api/v1/tickets/\($0)/follow-up" }, { _ in "" }),
                ("custom fields", .put, { "/api/v1/tickets/\($0)/custom-fields" }, { _ in "{}" }),
                ("comment", .post, { "/api/v1/tickets/\($0)/comments" }, { _ in #"{"type":"general","body":"Called them."}"# }),
                ("time log", .post, { "/api/v1/tickets/\($0)/time-logs" }, { _ in #"{"minutes":5}"# }),
                ("delete", .delete, { "/api/v1/tickets/\($0)" }, { _ in "" }),
                // Before the merge, which merges the spare away.
                ("related item", .post, { "/api/v1/tickets/\($0)/related" }, { _ in #"{"kind":"ticket","itemID":"\#(spare)"}"# }),
                ("merge", .post, { _ in "/api/v1/tickets/merge" }, { #"{"primaryID":"\#($0)","ticketIDs":["\#(spare)"]}"# }),
            ]
            for (name, method, path, body) in changes {
                let ticket = try await kit.submit(client, token: customer.token, subject: "Help with \(name)")
                let id = try #require(ticket["id"] as? String)
                #expect(ticket["agentID"] as? String != nil)
                let (_, opened, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: manager)
                let (_, changed, _) = try await TicketTestKit.send(
                    client, .put, "/api/v1/tickets/\(id)/priority", token: try await kit.token(owner, roles: ["Agent"]), body: #"{"priority":"high"}"#)
                #expect(opened[.eTag] != changed[.eTag])

                let (stale, headers, _) = try await TicketTestKit.send(client, method, path(id), token: manager, ifMatch: opened[.eTag], body: body(id))
                #expect(stale == .preconditionFailed, "\(name)")
                #expect(headers[.contentType] == "application/problem+json")
                let (_, unchanged, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: manager)
                #expect(unchanged[.eTag] == changed[.eTag], "\(name) changed nothing")

                let (current, _, _) = try await TicketTestKit.send(client, method, path(id), token: manager, ifMatch: changed[.eTag], body: body(id))
                #expect((200..<300).contains(current.code), "\(name) with the current ETag")
            }
        }
    }

    @Test("A comment, an attachment, a time log and its edit and deletion, and custom fields answer the ticket's new ETag, which the next update passes with")
    func recordsAnswerTheNewETag() async throws {
        try await TicketTestKit.run { client, kit in
            let owner = try await kit.agent()
            let token = try await kit.token(owner, roles: ["Agent"])
            let referrer = try await kit.referrerField(client, admin: try await kit.administratorToken())
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let base = "/api/v1/tickets/\(id)"
            let (_, first, _) = try await TicketTestKit.send(client, .get, base, token: token)
            var current = try #require(first[.eTag])

            func answered(_ name: String, _ status: HTTPResponse.Status, _ headers: HTTPFields) async throws {
                #expect((200..<300).contains(status.code), "\(name)")
                let etag = try #require(headers[.eTag], "\(name) answers an ETag")
                #expect(etag != current, "\(name) moved the version")
                let (_, shown, _) = try await TicketTestKit.send(client, .get, base, token: token)
                #expect(shown[.eTag] == etag, "\(name)'s ETag is the ticket's")
                let (next, after, _) = try await TicketTestKit.send(
                    client, .put, base + "/priority", token: token, ifMatch: etag, body: #"{"priority":"high"}"#)
                #expect(next == .ok, "an update after \(name) passes with its ETag")
                current = try #require(after[.eTag])
            }

            let (commented, commentHeaders, _) = try await TicketTestKit.send(
                client, .post, base + "/comments", token: token, body: #"{"type":"general","body":"Called them."}"#)
            try await answered("a comment", commented, commentHeaders)

            let (attached, attachmentHeaders) = try await client.execute(
                uri: base + "/attachments?filename=notes.txt&internal=true", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "text/plain"], body: ByteBuffer(string: "notes")
            ) { ($0.status, $0.headers) }
            try await answered("an attachment", attached, attachmentHeaders)

            let (logged, logHeaders, log) = try await TicketTestKit.send(client, .post, base + "/time-logs", token: token, body: #"{"minutes":5}"#)
            try await answered("a time log", logged, logHeaders)
            let logID = try #require(log["id"] as? String)
            let (edited, editHeaders, _) = try await TicketTestKit.send(client, .patch, base + "/time-logs/\(logID)", token: token, body: #"{"minutes":7}"#)
            try await answered("a time log's edit", edited, editHeaders)
            let (deleted, deleteHeaders, _) = try await TicketTestKit.send(client, .delete, base + "/time-logs/\(logID)", token: token)
            try await answered("a time log's deletion", deleted, deleteHeaders)

            let (fields, fieldHeaders, _) = try await TicketTestKit.send(client, .put, base + "/custom-fields", token: token, ifMatch: current, body: #"{"\#(referrer)":"TV"}"#)
            try await answered("custom fields", fields, fieldHeaders)
        }
    }

    @Test("If-Match * passes whatever the version, a weak ETag never matches (412) and a list or a foreign tag is a 400, each changing nothing else")
    func ifMatchForms() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let priority = "/api/v1/tickets/\(id)/priority"
            let (_, opened, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            let current = try #require(opened[.eTag])
            let version = current.dropFirst().dropLast()
            for (ifMatch, expected) in [
                ("W/\(current)", HTTPResponse.Status.preconditionFailed), ("\(current), \"9\"", .badRequest), ("abc", .badRequest),
                ("\"+\(version)\"", .badRequest), ("\"0\(version)\"", .badRequest),
            ] {
                let (status, headers, _) = try await TicketTestKit.send(client, .put, priority, token: token, ifMatch: ifMatch, body: #"{"priority":"high"}"#)
                #expect(status == expected, "\(ifMatch)")
                #expect(headers[.contentType] == "application/problem+json")
            }
            let (_, unchanged, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(unchanged[.eTag] == current)
            let (any, _, ticket) = try await TicketTestKit.send(client, .put, priority, token: token, ifMatch: "*", body: #"{"priority":"high"}"#)
            #expect(any == .ok && ticket["priority"] as? String == "high")
        }
    }
}
