import Contracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
import TestSupport

@testable import TicketsApp

@Suite("Company signatures on agents' replies", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct SignatureTests {
    static func signature(_ id: String, brand: String? = nil, department: String? = nil, group: String? = nil) -> TicketSignature {
        TicketSignature(id: id, brandID: brand, departmentID: department, groupID: group, html: id, version: 1)
    }

    @Test("The most specific signature wins: group, then department, then brand, then the global one")
    func specificity() {
        let all = [
            Self.signature("global"), Self.signature("brand", brand: "b"), Self.signature("department", brand: "b", department: "d"),
            Self.signature("group", department: "d", group: "g"), Self.signature("other group", group: "x"),
        ]
        #expect(SignatureRules.choose(all, groupID: "g", departmentID: "d", brandID: "b")?.id == "group")
        #expect(SignatureRules.choose(all, groupID: "h", departmentID: "d", brandID: "b")?.id == "department")
        #expect(SignatureRules.choose(all, groupID: "h", departmentID: "e", brandID: "b")?.id == "brand")
        #expect(SignatureRules.choose(all, groupID: "h", departmentID: "e", brandID: "c")?.id == "global")
        #expect(SignatureRules.choose(Array(all.dropFirst()), groupID: "h", departmentID: "e", brandID: "c") == nil)
    }

    @Test("Variables are filled in and escaped; #useremail has no closing # as documented; the avatar is an absolute address")
    func rendering() {
        var values = SignatureValues(
            agentID: "a1", agentEmail: "kim@demo.localhost", agentDisplayName: "Kim <Support>", brandName: "Demo & Co", brandHostname: "demo.localhost",
            departmentName: "Sales", scheme: "https")
        let html = SignatureRules.render("#userdisplayname# (#username#) #useremail, #departmentname# at #companyname# #agentavatar#", values)
        #expect(html.hasPrefix("Kim &lt;Support&gt; (kim@demo.localhost) kim@demo.localhost, Sales at Demo &amp; Co <img src=\"https://demo.localhost/api/v1/identity/users/a1/avatar\""))
        values.scheme = "http"
        #expect(SignatureRules.render("#agentavatar#", values).hasPrefix("<img src=\"http://demo.localhost/api/v1/identity/users/a1/avatar\""))
    }

    @Test("A signature needs safe HTML and real ids; scripts are removed, images kept")
    func validation() throws {
        #expect(throws: Problem.self) { try SignatureRules.signature(from: SignatureInput(groupID: "nope", html: "<script>x</script>"), id: "s", version: 1) }
        let safe = try SignatureRules.signature(from: SignatureInput(html: #"<p>Kim</p><img src="https://cdn.example/logo.png"><script>x</script>"#), id: "s", version: 1)
        #expect(safe.html.contains("<img src=\"https://cdn.example/logo.png\""))
        #expect(!safe.html.contains("script"))
    }

    @Test("A forward carries the signature after the agent's note, above the forwarded message; without a note it starts with it")
    func forwardsAreSigned() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            try await kit.identity("user.updated", ["userID": agent.lowercased, "email": "kim@demo.localhost", "displayName": "Kim Lee"])
            let token = try await kit.token(agent, roles: ["Agent"])
            let (created, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/signatures", token: try await kit.administratorToken(), body: #"{"html":"<p>#userdisplayname#, #departmentname#</p>"}"#)
            #expect(created == .created)
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
            let messageID = try #require((timeline["items"] as? [[String: Any]])?.compactMap { ($0["message"] as? [String: Any])?["id"] as? String }.first)
            func forwardedText(_ body: String) async throws -> String {
                let (status, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/messages/\(messageID)/forward", token: token, body: body)
                #expect(status == .created)
                let (_, _, after) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
                let forward = (after["items"] as? [[String: Any]])?.compactMap { $0["message"] as? [String: Any] }.first { $0["direction"] as? String == "out" }
                return try #require(forward?["bodyText"] as? String)
            }
            let noted = try await forwardedText(#"{"to":["vendor@supplier.example"],"note":"Can you check this printer?"}"#)
            #expect(noted.hasPrefix("Can you check this printer?\n\nKim Lee, Support\n\n---------- Forwarded message ----------"))
            let bare = try await forwardedText(#"{"to":["vendor@supplier.example"]}"#)
            #expect(bare.hasPrefix("Kim Lee, Support\n\n---------- Forwarded message ----------"))
        }
    }

    @Test("Administrators keep one signature per scope; a reply ends with the group's, or the global one once it is gone")
    func throughTheAPI() async throws {
        try await TicketTestKit.run { client, kit in
            try await kit.identity(BrandEventType.created, ["id": kit.brandID.lowercased, "name": "Demo Co", "hostnames": ["demo.localhost"], "version": 1])
            let agent = try await kit.agent()
            try await kit.identity("user.updated", ["userID": agent.lowercased, "email": "kim@demo.localhost", "displayName": "Kim Lee"])
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let base = "/api/v1/tickets/signatures"
            let (denied, _, _) = try await TicketTestKit.send(client, .post, base, token: token, body: #"{"html":"<p>Hi</p>"}"#)
            #expect(denied == .forbidden)
            let (invalid, _, problem) = try await TicketTestKit.send(client, .post, base, token: admin, body: #"{"groupID":"nope","html":"<script></script>"}"#)
            #expect(invalid == .unprocessableContent)
            #expect(Set((problem["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []) == ["groupID", "html"])
            let (unknown, _, unknownProblem) = try await TicketTestKit.send(
                client, .post, base, token: admin, body: #"{"brandID":"\#(kit.brandID.lowercased)","groupID":"\#(UUID().lowercased)","html":"<p>Hi</p>"}"#)
            #expect(unknown == .unprocessableContent, "a signature for a group the directory does not hold would never apply")
            #expect((unknownProblem["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["groupID"])
            let (elsewhere, _, _) = try await TicketTestKit.send(
                client, .post, base, token: admin, body: #"{"brandID":"\#(UUID().lowercased)","departmentID":"\#(kit.departmentID.lowercased)","html":"<p>Hi</p>"}"#)
            #expect(elsewhere == .unprocessableContent, "nor one for a department outside its brand")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.signatures") == 0)
            let (global, _, globalSignature) = try await TicketTestKit.send(client, .post, base, token: admin, body: #"{"html":"<p>The #companyname# team</p>"}"#)
            #expect(global == .created)
            let (twice, _, _) = try await TicketTestKit.send(client, .post, base, token: admin, body: #"{"html":"<p>Again</p>"}"#)
            #expect(twice == .conflict)
            let (created, headers, groupSignature) = try await TicketTestKit.send(
                client, .post, base, token: admin, body: #"{"groupID":"\#(kit.frontLineID.lowercased)","html":"<p>#userdisplayname#, #departmentname#</p>"}"#)
            #expect(created == .created)
            let signatureID = try #require(groupSignature["id"] as? String)
            let (stale, _, _) = try await TicketTestKit.send(
                client, .put, base + "/\(signatureID)", token: admin, ifMatch: "\"9\"", body: #"{"html":"<p>Stale</p>"}"#)
            #expect(stale == .preconditionFailed)
            #expect(headers[.eTag] == "\"1\"")

            let customer = try await kit.customer()
            func replyText() async throws -> String {
                let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
                let (replied, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/replies", token: token, body: #"{"body":"Restart it."}"#)
                #expect(replied == .created)
                let (_, _, timeline) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/timeline", token: token)
                let reply = (timeline["items"] as? [[String: Any]])?.compactMap { $0["message"] as? [String: Any] }.first { $0["direction"] as? String == "out" }
                return try #require(reply?["bodyText"] as? String)
            }
            #expect(try await replyText() == "Restart it.\n\nKim Lee, Support")
            let (deleted, _, _) = try await TicketTestKit.send(client, .delete, base + "/\(signatureID)", token: admin)
            #expect(deleted == .noContent)
            #expect(try await replyText() == "Restart it.\n\nThe Demo Co team")

            let globalID = try #require(globalSignature["id"] as? String)
            let (changed, _, _) = try await TicketTestKit.send(
                client, .put, base + "/\(globalID)", token: admin, ifMatch: "\"1\"", body: #"{"html":"<p>#agentavatar#</p>"}"#)
            #expect(changed == .ok)
            let ticketID = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            func composedAvatar(forwardedScheme: String?) async throws -> String? {
                var headers: HTTPFields = [.authorization: "Bearer \(token)"]
                if let forwardedScheme { headers[HTTPField.Name("X-Forwarded-Proto")!] = forwardedScheme }
                return try await client.execute(uri: "/api/v1/tickets/\(ticketID)/compose", method: .get, headers: headers) { response in
                    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                    return object?["signatureHTML"] as? String
                }
            }
            let avatar = "://demo.localhost/api/v1/identity/users/\(agent.lowercased)/avatar"
            #expect(try await composedAvatar(forwardedScheme: "https")?.contains("https" + avatar) == true, "the gateway said people use https")
            #expect(try await composedAvatar(forwardedScheme: nil)?.contains("http" + avatar) == true, "a direct request is plain http")
        }
    }
}
