import Foundation
import HTTPTypes
import KnowledgeApp
import ServiceKit
import Testing

@Suite("Article rules")
struct ArticleRulesTests {
    @Test("Hostile HTML is removed: script tags, event handlers, javascript: URLs; allowed media stay")
    func hostileHTML() throws {
        let input = ArticleInput(
            title: "Hostile", bodyHTML: """
                <p onclick="steal()">Hello<script>alert(1)</script></p><a href="javascript:alert(2)">x</a>\
                <img src="javascript:alert(3)"><img src="https://cdn.example/a.png" onerror="alert(4)">\
                <iframe src="https://evil.example/x"></iframe><iframe src="https://www.youtube.com/embed/abc"></iframe>
                """)
        let article = try ArticleRules.article(from: input, id: "a", brandID: "b", existing: nil, now: Date())
        for hostile in ["<script", "onclick", "onerror", "javascript:", "evil.example", "alert"] {
            #expect(!article.bodyHTML.contains(hostile), "\(hostile) must be gone")
        }
        #expect(article.bodyHTML.contains(#"<img src="https://cdn.example/a.png" alt="">"#))
        #expect(article.bodyHTML.contains("https://www.youtube.com/embed/abc"))
        #expect(article.bodyText.contains("Hello"))
    }

    @Test("Titles make slugs; summaries over 256 characters and bad languages are refused together")
    func limits() {
        #expect(ArticleRules.slug("Résumé: How to Print (Fast!)") == "resume-how-to-print-fast")
        #expect(ArticleRules.slug("???") == "article")
        let input = ArticleInput(language: "english!", title: "", summary: String(repeating: "x", count: 257), bodyHTML: "x")
        do {
            _ = try ArticleRules.article(from: input, id: "a", brandID: "b", existing: nil, now: Date())
            Issue.record("expected a problem")
        } catch let problem as Problem {
            #expect(Set(problem.errors.map(\.field)) == ["title", "summary", "language"])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("Bad input through the API is a 422 problem and writes nothing")
    func badInputWritesNothing() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let (status, headers, _) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles", brand: kit.brandA, token: try await kit.token(),
                body: #"{"title":"","bodyHTML":"x","summary":"\#(String(repeating: "y", count: 300))"}"#)
            #expect(status == .unprocessableContent)
            #expect(headers[.contentType] == "application/problem+json")
            let (_, _, listed) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles", brand: kit.brandA, token: try await kit.token())
            #expect((KnowledgeTestKit.json(listed)["items"] as? [[String: Any]])?.isEmpty == true)
        }
    }
}
