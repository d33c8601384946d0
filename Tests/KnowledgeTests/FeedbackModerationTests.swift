import Foundation
import Auth
import HTTPTypes
import KnowledgeApp
import Testing

@Suite("Knowledge base feedback moderation")
struct FeedbackModerationTests {
    static func ids(_ text: String) -> [String] {
        (KnowledgeTestKit.json(text)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
    }

    @Test("Feedback starts hidden from everyone but its author, and shows to all once a moderator approves it")
    func approve() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let article = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>Install it.</p>")["id"] as? String)
            let author = try await kit.token(roles: ["Registered User"])
            let reader = try await kit.token(roles: ["Registered User"])
            let moderator = try await kit.token(roles: [PredefinedRoles.agent, PredefinedRoles.manager])
            let (created, _, body) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles/\(article)/feedback", brand: kit.brandA, token: author, body: #"{"body":"<p>Worked for me!</p>"}"#)
            #expect(created == .created)
            let feedback = try #require(KnowledgeTestKit.json(body)["id"] as? String)
            #expect(KnowledgeTestKit.json(body)["state"] as? String == "pending")

            let path = "/api/v1/knowledge/articles/\(article)/feedback"
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA, token: author).2) == [feedback])
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA, token: reader).2).isEmpty)
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA).2).isEmpty, "anonymous visitors do not see it")
            let queue = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/feedback?tab=pending", brand: kit.brandA, token: moderator)
            #expect(Self.ids(queue.2) == [feedback], "\(queue.0) \(queue.2)")
            let (refused, _, _) = try await KnowledgeTestKit.send(client, .post, "/api/v1/knowledge/feedback/\(feedback)/approve", brand: kit.brandA, token: reader)
            #expect(refused == .forbidden, "a visitor cannot approve")

            let (approved, _, _) = try await KnowledgeTestKit.send(client, .post, "/api/v1/knowledge/feedback/\(feedback)/approve", brand: kit.brandA, token: moderator)
            #expect(approved == .ok)
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA, token: reader).2) == [feedback])
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA).2) == [feedback])
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/feedback?tab=pending", brand: kit.brandA, token: moderator).2).isEmpty)

            func item(_ token: String?) async throws -> [String: Any] {
                ((KnowledgeTestKit.json(try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA, token: token).2)["items"] as? [[String: Any]])?.first) ?? [:]
            }
            let seen = try await item(reader)
            #expect(seen["authorID"] == nil && seen["moderatedBy"] == nil, "who wrote it and who approved it are the moderators'")
            #expect(try await item(author)["authorID"] != nil, "its author sees it is theirs")
            let moderated = try await item(moderator)
            #expect(moderated["authorID"] != nil && moderated["moderatedBy"] != nil)
        }
    }

    @Test("A brand whose new feedback does not start moderated shows it to every reader at once")
    func unmoderatedBrand() async throws {
        try await KnowledgeTestKit.run { client, kit in
            try await PortalGateTests.gatesChanged(kit, brand: kit.brandA, moderated: false, version: 2)
            let article = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>Install it.</p>")["id"] as? String)
            let (created, _, body) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles/\(article)/feedback", brand: kit.brandA, token: try await kit.token(roles: ["Registered User"]),
                body: #"{"body":"<p>Worked for me!</p>"}"#)
            #expect(created == .created)
            #expect(KnowledgeTestKit.json(body)["state"] as? String == "approved")
            let feedback = try #require(KnowledgeTestKit.json(body)["id"] as? String)
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(article)/feedback", brand: kit.brandA).2) == [feedback])
        }
    }

    @Test("Blocking feedback hides it, lists it in the Blocked tab and stops its author from leaving more")
    func block() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let article = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>Install it.</p>")["id"] as? String)
            let author = try await kit.token(roles: ["Registered User"])
            let moderator = try await kit.token(roles: [PredefinedRoles.agent, PredefinedRoles.manager])
            let path = "/api/v1/knowledge/articles/\(article)/feedback"
            let feedback = try #require(KnowledgeTestKit.json(
                try await KnowledgeTestKit.send(client, .post, path, brand: kit.brandA, token: author, body: #"{"body":"Buy cheap pills"}"#).2)["id"] as? String)
            let (blocked, _, _) = try await KnowledgeTestKit.send(client, .post, "/api/v1/knowledge/feedback/\(feedback)/block", brand: kit.brandA, token: moderator)
            #expect(blocked == .ok)
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA, token: author).2).isEmpty, "blocked feedback is hidden from its author too")
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/feedback?tab=blocked", brand: kit.brandA, token: moderator).2) == [feedback])

            let (again, _, problem) = try await KnowledgeTestKit.send(client, .post, path, brand: kit.brandA, token: author, body: #"{"body":"Still here"}"#)
            #expect(again == .forbidden)
            #expect(KnowledgeTestKit.json(problem)["title"] != nil)
            let (_, _, count) = try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA, token: moderator)
            #expect(Self.ids(count).count == 1, "the refused feedback was not stored")
        }
    }

    @Test("A visitor who flags feedback as abusive no longer sees it, moderators find it in the Abuse tab, and unknown feedback is a 404")
    func abuse() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let article = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>Install it.</p>")["id"] as? String)
            let author = try await kit.token(roles: ["Registered User"])
            let flagger = try await kit.token(roles: ["Registered User"])
            let other = try await kit.token(roles: ["Registered User"])
            let moderator = try await kit.token(roles: [PredefinedRoles.agent, PredefinedRoles.manager])
            let path = "/api/v1/knowledge/articles/\(article)/feedback"
            let feedback = try #require(KnowledgeTestKit.json(
                try await KnowledgeTestKit.send(client, .post, path, brand: kit.brandA, token: author, body: #"{"body":"Rude words"}"#).2)["id"] as? String)
            _ = try await KnowledgeTestKit.send(client, .post, "/api/v1/knowledge/feedback/\(feedback)/approve", brand: kit.brandA, token: moderator)
            for _ in 0..<2 {
                let (flagged, _, _) = try await KnowledgeTestKit.send(client, .post, "/api/v1/knowledge/feedback/\(feedback)/abuse", brand: kit.brandA, token: flagger)
                #expect(flagged == .noContent)
            }
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA, token: flagger).2).isEmpty)
            #expect(Self.ids(try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA, token: other).2) == [feedback])
            let queue = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/feedback?tab=abuse", brand: kit.brandA, token: moderator)
            let items = try #require(KnowledgeTestKit.json(queue.2)["items"] as? [[String: Any]])
            #expect(items.count == 1 && items.first?["abuseReports"] as? Int == 1, "one visitor flagging twice counts once")
            let (unknown, headers, _) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/feedback/\(UUID())/abuse", brand: kit.brandA, token: flagger)
            #expect(unknown == .notFound && headers[.contentType] == "application/problem+json", "flagging feedback that does not exist is refused")
        }
    }

    @Test("Script tags, event handlers and javascript: links are removed from feedback before it is stored")
    func hostileHTML() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let article = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>Install it.</p>")["id"] as? String)
            let author = try await kit.token(roles: ["Registered User"])
            let hostile = #"<p onclick=\"steal()\">Thanks <a href=\"javascript:alert(1)\">here</a></p><script>alert(1)</script><img src=x onerror=alert(2)>"#
            let (created, _, body) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles/\(article)/feedback", brand: kit.brandA, token: author, body: #"{"body":"\#(hostile)"}"#)
            #expect(created == .created)
            let html = try #require(KnowledgeTestKit.json(body)["bodyHTML"] as? String).lowercased()
            for forbidden in ["<script", "onclick", "onerror", "javascript:", "alert("] { #expect(!html.contains(forbidden), "\(forbidden) in \(html)") }
            #expect(html.contains("thanks"))
            let (empty, _, _) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles/\(article)/feedback", brand: kit.brandA, token: author, body: #"{"body":"<script>x()</script>"}"#)
            #expect(empty == .unprocessableContent, "feedback that is nothing but a script is refused")
        }
    }
}
