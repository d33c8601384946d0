import Auth
import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import Testing
import TestSupport
import TicketsApp

@Suite("View ticket online: a ticket's link with its Validation Hash", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct OnlineTicketTests {
    @Test("A link code is the same for every service sharing the secret, differs by subject and secret, and a wrong one fails")
    func codes() {
        let signer = LinkSigner(secret: TokenService.developmentSecret)
        let code = signer.code(for: "0A1-12345678-ABCD")
        #expect(code.count == 32 && code == LinkSigner(secret: TokenService.developmentSecret).code(for: "0A1-12345678-ABCD"))
        #expect(signer.verifies(code.uppercased(), for: "0A1-12345678-ABCD"))
        #expect(!signer.verifies(code, for: "0A1-12345678-ABCE"))
        #expect(!LinkSigner(secret: String(repeating: "x", count: 40)).verifies(code, for: "0A1-12345678-ABCD"))
        #expect(!signer.verifies(String(code.dropLast()), for: "0A1-12345678-ABCD"))
    }

    @Test("A ticket transferred to another brand's department still opens from the link its customer was sent, on the first brand's host")
    func linkSurvivesATransferToAnotherBrand() async throws {
        try await TicketTestKit.run { client, kit in
            let other = try await kit.otherBrandDepartment()
            let customer = try await kit.customer()
            let ticket = try await kit.submit(client, token: customer.token, subject: "Printer")
            let id = try #require(ticket["id"] as? String), number = try #require(ticket["number"] as? String)
            let (moved, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: try await kit.administratorToken(), body: #"{"groupID":"\#(other.group.lowercased)"}"#)
            #expect(moved == .ok)
            let link = "/api/v1/tickets/online/\(number)?code=\(kit.tokens.links.code(for: number))"
            for brand in [kit.brandID, other.brand] {
                let (opened, _, online) = try await TicketTestKit.send(client, .get, link, token: nil, headers: [.brandID: brand.lowercased])
                #expect(opened == .ok && (online["ticket"] as? [String: Any])?["brandID"] as? String == other.brand.lowercased)
            }
        }
    }

    @Test("The link opens the customer's view and its files without signing in; a wrong code is a 404; a merged ticket's link opens the primary")
    func viewOnline() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"], email: "kim.private@demo.localhost")
            let customer = try await kit.customer()
            let first = try await kit.submit(client, token: customer.token, subject: "Printer")
            let id = try #require(first["id"] as? String), number = try #require(first["number"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/comments", token: token, body: #"{"type":"general","body":"Internal note"}"#)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Try turning it off and on."}"#)
            let code = kit.tokens.links.code(for: number)

            let (opened, _, online) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/online/\(number.lowercased())?code=\(code)", token: nil)
            #expect(opened == .ok)
            #expect((online["ticket"] as? [String: Any])?["id"] as? String == id)
            let items = ((online["timeline"] as? [String: Any])?["items"] as? [[String: Any]]) ?? []
            #expect(items.count == 2 && items.allSatisfy { $0["message"] != nil }, "the two messages, not the agents' comment")
            let (_, _, portal) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: customer.token)
            let (_, _, console) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            func senders(_ page: [String: Any]?) -> [String] {
                ((page?["items"] as? [[String: Any]]) ?? []).compactMap { ($0["message"] as? [String: Any])?["from"] as? String }
            }
            for (view, page) in [("online", online["timeline"] as? [String: Any]), ("portal", portal)] {
                #expect(!senders(page).contains("kim.private@demo.localhost"), "\(view): the agent's own address stays with the agents")
                #expect(senders(page).count == 2, "\(view): both messages")
            }
            #expect(senders(console).contains("kim.private@demo.localhost"), "agents see whose address wrote the reply")
            for wrong in ["?code=\(String(repeating: "0", count: 32))", "", "?code=\(kit.tokens.links.code(for: "OTHER"))"] {
                let (status, headers, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/online/\(number)\(wrong)", token: nil)
                #expect(status == .notFound, "\(wrong)")
                #expect(headers[.contentType] == "application/problem+json")
            }

            let (_, _, photo) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/attachments?filename=photo.pdf", token: customer.token, body: "%PDF-1.4")
            let (_, _, note) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/attachments?filename=note.pdf&internal=true", token: token, body: "%PDF-1.4")
            let photoID = try #require(photo["id"] as? String), noteID = try #require(note["id"] as? String)
            let files = "/api/v1/tickets/online/\(number)/attachments"
            let (downloaded, fileHeaders, _) = try await TicketTestKit.send(client, .get, "\(files)/\(photoID)?code=\(code)", token: nil)
            #expect(downloaded == .ok && fileHeaders[.contentDisposition]?.contains("photo.pdf") == true, "the link's files download with it")
            #expect(try await TicketTestKit.send(client, .get, "\(files)/\(noteID)?code=\(code)", token: nil).0 == .notFound, "not an internal one")
            #expect(try await TicketTestKit.send(client, .get, "\(files)/\(photoID)?code=\(String(repeating: "0", count: 32))", token: nil).0 == .notFound)

            let second = try await kit.submit(client, token: customer.token, subject: "Printer again")
            let secondID = try #require(second["id"] as? String), secondNumber = try #require(second["number"] as? String)
            let (merged, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/merge", token: token, body: #"{"primaryID":"\#(id)","ticketIDs":["\#(secondID)"]}"#)
            #expect(merged == .ok)
            let (_, _, forwarded) = try await TicketTestKit.send(
                client, .get, "/api/v1/tickets/online/\(secondNumber)?code=\(kit.tokens.links.code(for: secondNumber))", token: nil)
            #expect((forwarded["ticket"] as? [String: Any])?["id"] as? String == id)
        }
    }
}
