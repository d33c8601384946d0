import Foundation
import HTTPTypes
import Testing
import ServiceKit
import TestSupport
import TicketsApp

@Suite("Files a portal visitor uploads without signing in", .serialized)
struct AnonymousUploadTests {
    @Test("An address (an IPv6 /64) may keep twenty uploads waiting and everyone 256 MB together; past either the next is refused")
    func limits() throws {
        let limits = AnonymousUploads.standard
        try limits.check(size: 1, fromAddress: 19, waitingBytes: 0)
        try limits.check(size: 1 << 20, fromAddress: 0, waitingBytes: (256 << 20) - (1 << 20))
        #expect(throws: Problem.self) { try limits.check(size: 1, fromAddress: 20, waitingBytes: 0) }
        #expect(throws: Problem.self) { try limits.check(size: 2, fromAddress: 0, waitingBytes: (256 << 20) - 1) }
        #expect(AnonymousUploads.bucket("203.0.113.7") == "203.0.113.7")
        #expect(AnonymousUploads.bucket("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64", "one client's whole /64 counts as one")
        #expect(AnonymousUploads.bucket("2001:db8:1:2::9") == AnonymousUploads.bucket("2001:db8:1:2:ffff::1"))
        #expect(AnonymousUploads.bucket("unknown") == "unknown")
    }

    @Test(
        "A visitor's uploads become the attachments of the ticket they submit, each named by the claim its upload answered; a missing or wrong claim, or another's upload, is a 422 that writes nothing",
        .enabled(if: TestEnvironment.hasDatabase))
    func visitorAttachesUploads() async throws {
        try await TicketTestKit.run { client, kit in
            func upload(_ name: String, token: String? = nil) async throws -> (status: Int, id: String?, claim: String?) {
                let (status, headers, body) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/uploads?filename=\(name)", token: token, body: "%PDF-1.4")
                if status.code >= 400 { #expect(headers[.contentType] == "application/problem+json") }
                return (status.code, body["id"] as? String, body["claim"] as? String)
            }
            let photo = try await upload("photo.pdf")
            #expect(photo.status == 201)
            let (photoID, claim) = (try #require(photo.id), try #require(photo.claim))
            #expect(try await upload("tool.exe").status == 415, "a visitor's files are held to the end users' types")

            let customer = try await kit.customer()
            let theirs = try await upload("theirs.pdf", token: customer.token)
            #expect(theirs.status == 201 && theirs.claim == nil, "a signed-in user's upload is theirs and answers no claim")
            let theirsID = try #require(theirs.id)

            let tickets = "SELECT count(*)::int FROM {schema}.tickets"
            let before = try await kit.count(tickets)
            func submit(_ extra: String, token: String? = nil) async throws -> (Int, [String: Any]) {
                let (status, _, body) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: token,
                    body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Broken","body":"See the photo.","email":"visitor@customer.example"\#(extra)}"#)
                return (status.code, body)
            }
            #expect(try await submit(#","attachmentIDs":["\#(photoID)"]"#).0 == 422, "an upload without its claim")
            #expect(try await submit(#","attachmentIDs":["\#(photoID)"],"uploadClaims":["\#(UUID().lowercased)"]"#).0 == 422, "a wrong claim")
            #expect(
                try await submit(#","attachmentIDs":["\#(theirsID)"],"uploadClaims":["\#(customer.id.lowercased)"]"#).0 == 422,
                "a signed-in user's upload, its uploader's id given as the claim")
            #expect(
                try await submit(#","attachmentIDs":["\#(theirsID)"],"uploadClaims":["\#(claim)"]"#, token: customer.token).0 == 422,
                "claims are for visitors, not signed-in users")
            #expect(try await kit.count(tickets) == before, "nothing written")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.uploads") == 2, "both uploads still wait")

            let (created, ticket) = try await submit(#","attachmentIDs":["\#(photoID)"],"uploadClaims":["\#(claim)"]"#)
            #expect(created == 201)
            let id = try #require(ticket["id"] as? String)
            let agentToken = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (_, _, attachments) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/attachments", token: agentToken)
            #expect((attachments["items"] as? [[String: Any]])?.map { $0["filename"] as? String } == ["photo.pdf"])
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.message_attachments ma JOIN {schema}.messages m ON m.id = ma.message_id
                JOIN {schema}.attachments a ON a.id = ma.attachment_id
                WHERE m.ticket_id = '\(id)' AND m.direction = 'in' AND a.id = '\(photoID)' AND a.uploaded_by IS NULL
                """) == 1, "the first message carries it, with no uploader: the claim was nobody's id")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.uploads") == 1, "the customer's own upload still waits")
            #expect(try await submit(#","attachmentIDs":["\#(photoID)"],"uploadClaims":["\#(claim)"]"#).0 == 422, "a claimed upload is gone")
        }
    }

    @Test("A visitor's address keeps at most twenty uploads waiting: the next is a 429 problem that stores nothing", .enabled(if: TestEnvironment.hasDatabase))
    func addressLimit() async throws {
        try await TicketTestKit.run { client, kit in
            for index in 0..<AnonymousUploads.standard.perAddress {
                let (status, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/uploads?filename=file\(index).pdf", token: nil, body: "%PDF-1.4")
                #expect(status == .created)
            }
            let (refused, headers, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/uploads?filename=one-more.pdf", token: nil, body: "%PDF-1.4")
            #expect(refused == .tooManyRequests)
            #expect(headers[.contentType] == "application/problem+json")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.uploads") == AnonymousUploads.standard.perAddress)
            let customer = try await kit.customer()
            let (signedIn, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/uploads?filename=mine.pdf", token: customer.token, body: "%PDF-1.4")
            #expect(signedIn == .created, "signed-in users' uploads are not counted against visitors")
        }
    }
}
