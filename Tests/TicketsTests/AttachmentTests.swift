import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport
import TicketsApp

@Suite("Ticket attachments", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct AttachmentTests {
    static func upload(
        _ client: any TestClientProtocol, _ path: String, token: String, bytes: [UInt8], type: String = "application/pdf"
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(
            uri: path, method: .post, headers: [.authorization: "Bearer \(token)", .contentType: type], body: ByteBuffer(bytes: bytes)
        ) { response in
            (response.status, ((try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]) ?? [:])
        }
    }

    @Test("Customers attach allowed types up to 2 MB; oversize is 413, a forbidden type 415, a name with control characters 422 and a locked ticket 409, writing nothing; internal ones stay with agents")
    func limitsAndVisibility() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let base = "/api/v1/tickets/\(id)/attachments"
            let (ok, attachment) = try await Self.upload(client, base + "?filename=invoice.pdf", token: customer.token, bytes: Array("%PDF-1.4".utf8))
            #expect(ok == .created)
            #expect(attachment["size"] as? Int == 8)
            let (big, _) = try await Self.upload(client, base + "?filename=scan.pdf", token: customer.token, bytes: [UInt8](repeating: 1, count: 2 * 1_048_576 + 1))
            #expect(big == .contentTooLarge)
            let (exe, _) = try await Self.upload(client, base + "?filename=tool.exe", token: customer.token, bytes: [1, 2, 3])
            #expect(exe == .unsupportedMediaType)
            for unfit in ["a%0D%0Ab.txt", "a%07.txt"] {
                let (refused, _) = try await Self.upload(client, base + "?filename=\(unfit)", token: customer.token, bytes: [1])
                #expect(refused == .unprocessableContent, "a control character makes no file name: \(unfit)")
            }
            let (nul, _) = try await Self.upload(client, base + "?filename=a%00.txt", token: customer.token, bytes: [1])
            #expect(nul == .badRequest, "an address holding NUL is refused before the route reads it")
            let (bidi, _) = try await Self.upload(client, base + "?filename=invoice%E2%80%AEfdp.exe", token: agentToken, bytes: [1])
            #expect(bidi == .unprocessableContent, "a right-to-left override would show invoiceexe.pdf")
            let (vague, vagueProblem) = try await Self.upload(client, base + "?filename=notes.txt&internal=yes", token: agentToken, bytes: [1])
            #expect(vague == .badRequest && vagueProblem["detail"] as? String == "internal is true or false.", "not a file the customer sees")
            let (sneaky, _) = try await Self.upload(client, base + "?filename=notes.txt&internal=true", token: customer.token, bytes: [1])
            #expect(sneaky == .forbidden)
            let (agentExe, _) = try await Self.upload(client, base + "?filename=diagnostics.exe", token: agentToken, bytes: [1, 2])
            #expect(agentExe == .created, "agents' document uploads allow any type by default")
            let (secret, internalAttachment) = try await Self.upload(client, base + "?filename=notes.txt&internal=true", token: agentToken, bytes: Array("internal".utf8))
            #expect(secret == .created)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.attachments") == 3)

            let (_, _, forCustomer) = try await TicketTestKit.send(client, .get, base, token: customer.token)
            #expect((forCustomer["items"] as? [[String: Any]])?.compactMap { $0["filename"] as? String } == ["invoice.pdf", "diagnostics.exe"])
            let (_, _, forAgent) = try await TicketTestKit.send(client, .get, base, token: agentToken)
            #expect((forAgent["items"] as? [[String: Any]])?.count == 3)
            let internalID = try #require(internalAttachment["id"] as? String)
            let (hidden, _, _) = try await TicketTestKit.send(client, .get, base + "/\(internalID)", token: customer.token)
            #expect(hidden == .notFound)
            let download = try await client.execute(
                uri: base + "/\(try #require(attachment["id"] as? String))", method: .get, headers: [.authorization: "Bearer \(customer.token)"]
            ) { response in (response.status, response.headers, String(buffer: response.body)) }
            #expect(download.0 == .ok)
            #expect(download.1[.contentDisposition] == #"attachment; filename="invoice.pdf""#)
            #expect(download.1[.contentType] == "application/pdf")
            #expect(download.2 == "%PDF-1.4")

            func timelineAttachments(_ token: String) async throws -> [String] {
                let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
                return (timeline["items"] as? [[String: Any]])?.compactMap { ($0["attachment"] as? [String: Any])?["filename"] as? String } ?? []
            }
            #expect(try await timelineAttachments(agentToken) == ["notes.txt", "diagnostics.exe", "invoice.pdf"], "in the Communication tab, newest first")
            #expect(try await timelineAttachments(customer.token) == ["diagnostics.exe", "invoice.pdf"], "internal ones stay with agents there too")

            #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: agentToken, body: #"{"status":"closed_locked"}"#).0 == .ok)
            let (locked, _) = try await Self.upload(client, base + "?filename=late.pdf", token: customer.token, bytes: Array("%PDF-1.4".utf8))
            #expect(locked == .conflict, "a Closed and Locked ticket takes nothing more from its customer")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.attachments") == 3)
        }
    }

    @Test("An upload's Content-Type that is no media type is kept as application/octet-stream, and a download names a non-ASCII file exactly")
    func typesAndNames() async throws {
        try await TicketTestKit.run { client, kit in
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let base = "/api/v1/tickets/\(id)/attachments"
            let (odd, file) = try await Self.upload(client, base + "?filename=Notiz%20M%C3%A4rz.txt", token: agentToken, bytes: [1], type: "not a/media type;;")
            #expect(odd == .created && file["contentType"] as? String == "application/octet-stream", "a type that is none is kept as plain bytes")
            let headers = try await client.execute(
                uri: base + "/\(try #require(file["id"] as? String))", method: .get, headers: [.authorization: "Bearer \(agentToken)"]
            ) { response in response.headers }
            #expect(headers[.contentType] == "application/octet-stream")
            #expect(headers[.contentDisposition] == #"attachment; filename="Notiz M_rz.txt"; filename*=UTF-8''Notiz%20M%C3%A4rz.txt"#)
            let marks = String(repeating: "%CC%81", count: 130)
            let (long, _) = try await Self.upload(client, base + "?filename=e\(marks).txt", token: agentToken, bytes: [1])
            #expect(long == .unprocessableContent, "a name of few characters but over 255 bytes")
        }
    }

    @Test("The upload lists and size limit of identity's settings decide what customers and agents may attach")
    func uploadListsFromSettings() async throws {
        try await TicketTestKit.run { client, kit in
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let base = "/api/v1/tickets/\(id)/attachments"
            try await kit.identity("management_settings.changed", [
                "settings": ["agentUploadExtensions": [".pdf", ".PNG"], "userUploadExtensions": [".heic"], "staleAfterDays": 365], "version": 2,
            ])
            #expect(try await Self.upload(client, base + "?filename=photo.heic", token: customer.token, bytes: [1]).0 == .created)
            let (pdf, problem) = try await Self.upload(client, base + "?filename=invoice.pdf", token: customer.token, bytes: [1])
            #expect(pdf == .unsupportedMediaType, "no longer on the end users' list")
            #expect((problem["detail"] as? String)?.contains(".heic") == true)
            #expect(try await Self.upload(client, base + "?filename=scan.png", token: agentToken, bytes: [1]).0 == .created)
            #expect(try await Self.upload(client, base + "?filename=tool.exe", token: agentToken, bytes: [1]).0 == .unsupportedMediaType, "agents are limited too")
            try await kit.identity("management_settings.changed", ["settings": ["userUploadExtensions": ["*.*"], "staleAfterDays": 365], "version": 1])
            #expect(try await Self.upload(client, base + "?filename=tool.exe", token: customer.token, bytes: [1]).0 == .unsupportedMediaType, "an older version changes nothing")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.attachments") == 2)

            let large = [UInt8](repeating: 7, count: 2_500_000)
            #expect(try await Self.upload(client, base + "?filename=big.heic", token: customer.token, bytes: large).0 == .contentTooLarge, "2 MB by default")
            try await kit.identity("management_settings.changed", [
                "settings": ["userUploadExtensions": [".heic"], "maxAttachmentMB": 3, "staleAfterDays": 365], "version": 3,
            ])
            #expect(try await Self.upload(client, base + "?filename=big.heic", token: customer.token, bytes: large).0 == .created)
            let larger = [UInt8](repeating: 7, count: 3 * 1_048_576 + 1)
            #expect(try await Self.upload(client, base + "?filename=bigger.heic", token: customer.token, bytes: larger).0 == .contentTooLarge)
        }
    }

    @Test("A reply carries the ticket's attachments it names (Attach Files); an internal or foreign one is a 422 and nothing is sent; a resend sends them again")
    func replyAttachments() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let other = try #require(try await kit.submit(client, token: customer.token, subject: "Other")["id"] as? String)
            let base = "/api/v1/tickets/\(id)/attachments"
            let (_, guide) = try await Self.upload(client, base + "?filename=guide.pdf", token: token, bytes: Array("%PDF-1.4".utf8))
            let (_, notes) = try await Self.upload(client, base + "?filename=notes.txt&internal=true", token: token, bytes: Array("internal".utf8))
            let (_, foreign) = try await Self.upload(client, "/api/v1/tickets/\(other)/attachments?filename=x.pdf", token: token, bytes: [1])
            let guideID = try #require(guide["id"] as? String), notesID = try #require(notes["id"] as? String)
            let foreignID = try #require(foreign["id"] as? String)

            for refused in [notesID, foreignID, UUID().uuidString] {
                let (status, _, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"See attached.","attachmentIDs":["\#(refused)"]}"#)
                #expect(status == .unprocessableContent)
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.messages WHERE direction = 'out'") == 0, "nothing was sent")

            let (sent, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"See attached.","attachmentIDs":["\#(guideID)"]}"#)
            #expect(sent == .created)
            let replies = try await ResponseClockTests.replies(client, id, token: token)
            #expect(replies.first?["attachmentIDs"] == guideID)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let replyID = try #require(
                (timeline["items"] as? [[String: Any]])?.compactMap { $0["message"] as? [String: Any] }.first { $0["direction"] as? String == "out" }?["id"] as? String)
            let (resent, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages/\(replyID)/resend", token: token)
            #expect(resent == .ok)
            let (_, _, history) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/history?limit=100", token: token)
            let resend = (history["items"] as? [[String: Any]])?.first { $0["action"] as? String == "ticket.message_resent" }?["details"] as? [String: String]
            #expect(resend?["attachmentIDs"] == guideID)
        }
    }

    @Test("A customer's reply carries the files they uploaded for it: they become the ticket's attachments with the message; another's upload is a 422 that writes nothing")
    func customerReplyAttachments() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            func upload(_ name: String, _ token: String) async throws -> String {
                let (status, _, upload) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/uploads?filename=\(name)", token: token, body: "%PDF-1.4")
                #expect(status == .created)
                return try #require(upload["id"] as? String)
            }
            let photo = try await upload("photo.pdf", customer.token)
            let stranger = try await upload("other.pdf", try await kit.customer().token)
            let messages = "SELECT count(*)::int FROM {schema}.messages WHERE ticket_id = '\(id)'"
            let (refused, headers, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Both.","attachmentIDs":["\#(photo)","\#(stranger)"]}"#)
            #expect(refused == .unprocessableContent && headers[.contentType] == "application/problem+json")
            #expect(try await kit.count(messages) == 1, "no message written")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.uploads") == 2, "both uploads still wait")

            let (written, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"The photo.","attachmentIDs":["\#(photo)"]}"#)
            #expect(written == .created)
            let (_, _, attachments) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/attachments", token: customer.token)
            #expect((attachments["items"] as? [[String: Any]])?.map { $0["filename"] as? String } == ["photo.pdf"])
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.message_attachments ma JOIN {schema}.messages m ON m.id = ma.message_id
                WHERE m.ticket_id = '\(id)' AND m.direction = 'in' AND ma.attachment_id = '\(photo)'
                """) == 1, "the customer's message carries it")
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (_, _, history) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/history", token: agentToken)
            let received = (history["items"] as? [[String: Any]])?.first { $0["action"] as? String == "ticket.message_received" }?["details"] as? [String: String]
            #expect(received?["attachmentIDs"] == photo)
        }
    }

    @Test("Splitting a customer's message takes the files it carried to the new ticket as its own copies; the old ticket keeps its files")
    func splitMessageTakesItsFiles() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            let (_, _, upload) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/uploads?filename=photo.pdf", token: customer.token, body: "%PDF-1.4")
            let photo = try #require(upload["id"] as? String)
            _ = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages", token: customer.token, body: #"{"body":"Also the scanner.","attachmentIDs":["\#(photo)"]}"#)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: agentToken)
            let messageID = try #require((timeline["items"] as? [[String: Any]])?.compactMap { ($0["message"] as? [String: Any])?["id"] as? String }.first)

            let (split, _, newTicket) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/messages/\(messageID)/split", token: agentToken, body: #"{"subject":"Scanner"}"#)
            #expect(split == .created)
            let newID = try #require(newTicket["id"] as? String)
            let (_, _, listed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(newID)/attachments", token: agentToken)
            let copies = listed["items"] as? [[String: Any]] ?? []
            #expect(copies.map { $0["filename"] as? String } == ["photo.pdf"])
            let copyID = try #require(copies.first?["id"] as? String)
            #expect(copyID != photo, "a copy of its own, which the new ticket's purge can delete")
            let download = try await client.execute(
                uri: "/api/v1/tickets/\(newID)/attachments/\(copyID)", method: .get, headers: [.authorization: "Bearer \(agentToken)"]
            ) { String(buffer: $0.body) }
            #expect(download == "%PDF-1.4")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.message_attachments ma JOIN {schema}.messages m ON m.id = ma.message_id
                WHERE m.ticket_id = '\(newID)' AND ma.attachment_id = '\(copyID)'
                """) == 1, "the new ticket's first message carries it")
            let (_, _, old) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/attachments", token: agentToken)
            #expect((old["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [photo])
        }
    }
}
