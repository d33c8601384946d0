import Foundation
import HTTPTypes
@testable import KnowledgeApp
import TestSupport
import Testing

@Suite("News items, their portal pages and RSS feed")
struct NewsTests {
    /// What Python's feedparser makes of `feed`: the way feed readers parse it.
    static func feedparser(_ feed: String) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", """
            import json, sys, feedparser
            d = feedparser.parse(sys.stdin.buffer.read())
            print(json.dumps({"bozo": bool(d.bozo), "error": str(d.get("bozo_exception", "")), "version": d.version,
                "title": d.feed.get("title"), "link": d.feed.get("link"), "description": d.feed.get("description"),
                "language": d.feed.get("language"),
                "entries": [{"title": e.get("title"), "link": e.get("link"), "id": e.get("id"), "summary": e.get("summary"),
                             "published": list(e.published_parsed[:6]) if e.get("published_parsed") else None} for e in d.entries]}))
            """]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = try #require(TestEnvironment.pythonPath, "CONCIERGE_TEST_PYTHONPATH is not set (run through make test)")
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(feed.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("The RSS feed parses with feedparser as RSS 2.0 with the required elements, listing only the brand's published public news")
    func rssFeed() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let launch = try await kit.article(
                client, brand: kit.brandA, title: "We launched Concierge 2 & more", summary: "Faster lists & ranked search.", body: "<p>Read on.</p>",
                kind: .news, publishedAt: Date(timeIntervalSinceNow: -3_600))
            let older = try await kit.article(
                client, brand: kit.brandA, title: "Office closed on Friday", body: "<p>Back on Monday.</p>", kind: .news,
                publishedAt: Date(timeIntervalSinceNow: -86_400))
            _ = try await kit.article(client, brand: kit.brandA, title: "Next year's plans", body: "<p>Soon.</p>", kind: .news,
                                      publishedAt: Date(timeIntervalSinceNow: 86_400))
            _ = try await kit.article(client, brand: kit.brandA, title: "Draft announcement", body: "<p>x</p>", isDraft: true, kind: .news)
            _ = try await kit.article(client, brand: kit.brandA, title: "Staff only", body: "<p>x</p>", isPrivate: true, kind: .news)
            _ = try await kit.article(client, brand: kit.brandA, title: "Wir sind umgezogen", body: "<p>Neue Adresse.</p>", language: "de", kind: .news)
            _ = try await kit.article(client, brand: kit.brandB, title: "Brand B news", body: "<p>x</p>", kind: .news)
            _ = try await kit.article(client, brand: kit.brandA, title: "An article, not news", body: "<p>x</p>")

            let (status, headers, feed) = try await KnowledgeTestKit.send(client, .get, "/news/rss.xml?language=en", brand: kit.brandA)
            #expect(status == .ok)
            #expect(headers[.contentType]?.hasPrefix("application/rss+xml") == true)
            let parsed = try Self.feedparser(feed)
            #expect(parsed["bozo"] as? Bool == false, "\(parsed["error"] ?? "")")
            #expect(parsed["version"] as? String == "rss20")
            #expect(parsed["title"] as? String != nil && parsed["link"] as? String == "http://kb.example/news/")
            #expect(parsed["description"] as? String != nil && parsed["language"] as? String == "en")
            let entries = try #require(parsed["entries"] as? [[String: Any]])
            #expect(entries.compactMap { $0["title"] as? String } == ["We launched Concierge 2 & more", "Office closed on Friday"])
            let first = try #require(entries.first)
            let id = try #require(launch["id"] as? String)
            #expect(first["link"] as? String == "http://kb.example/news/\(id)/we-launched-concierge-2-more")
            #expect(first["id"] as? String == first["link"] as? String)
            #expect(first["summary"] as? String == "Faster lists &amp; ranked search." || first["summary"] as? String == "Faster lists & ranked search.")
            #expect((first["published"] as? [Int])?.count == 6)
            #expect(older["id"] as? String != nil)

            let (_, _, everyLanguage) = try await KnowledgeTestKit.send(client, .get, "/news/rss.xml", brand: kit.brandA)
            #expect((try Self.feedparser(everyLanguage)["entries"] as? [[String: Any]])?.count == 3, "without ?language= every language's news")
        }
    }

    @Test("A news page carries title, meta description and canonical link; the news index lists it; unpublished items are not found")
    func pages() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let item = try await kit.article(
                client, brand: kit.brandA, title: "Holiday hours", summary: "When support is open over the holidays.", body: "<p>We close at noon.</p>",
                kind: .news, publishedAt: Date(timeIntervalSinceNow: -60))
            let id = try #require(item["id"] as? String)
            let (status, _, page) = try await KnowledgeTestKit.send(client, .get, "/news/\(id)/holiday-hours", brand: kit.brandA)
            #expect(status == .ok)
            #expect(page.contains("<title>Holiday hours</title>"))
            #expect(page.contains(#"<meta name="description" content="When support is open over the holidays.">"#))
            #expect(page.contains(#"<link rel="canonical" href="http://kb.example/news/\#(id)/holiday-hours">"#))
            let (_, _, index) = try await KnowledgeTestKit.send(client, .get, "/news/", brand: kit.brandA)
            #expect(index.contains("/news/\(id)/holiday-hours") && index.contains("application/rss+xml"))
            let (asArticle, _, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(id)/holiday-hours", brand: kit.brandA)
            #expect(asArticle == .notFound, "a news item is not a knowledge base article")

            let future = try #require(try await kit.article(
                client, brand: kit.brandA, title: "Coming soon", body: "<p>x</p>", kind: .news, publishedAt: Date(timeIntervalSinceNow: 86_400))["id"] as? String)
            let (scheduled, _, _) = try await KnowledgeTestKit.send(client, .get, "/news/\(future)/coming-soon", brand: kit.brandA)
            #expect(scheduled == .notFound)
            let (api, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/news/\(future)", brand: kit.brandA)
            #expect(api == .notFound, "visitors do not see it before its publish date")
            let (staff, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/news/\(future)", brand: kit.brandA, token: try await kit.token())
            #expect(staff == .ok)
        }
    }

    @Test("News search finds news and article search finds articles; visitors find only published news; dates narrow an advanced search")
    func search() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let news = try #require(try await kit.article(
                client, brand: kit.brandA, title: "Printer recall", body: "<p>Some printer models are recalled.</p>", kind: .news,
                publishedAt: Date(timeIntervalSinceNow: -86_400 * 40))["id"] as? String)
            let later = try #require(try await kit.article(
                client, brand: kit.brandA, title: "New printer firmware", body: "<p>printer</p>", kind: .news,
                publishedAt: Date(timeIntervalSinceNow: -86_400 * 2))["id"] as? String)
            let scheduled = try #require(try await kit.article(
                client, brand: kit.brandA, title: "Printer sale next week", body: "<p>printer</p>", kind: .news,
                publishedAt: Date(timeIntervalSinceNow: 86_400 * 7))["id"] as? String)
            let article = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>printer</p>")["id"] as? String)

            func ids(_ path: String, token: String? = nil) async throws -> Set<String> {
                let (_, _, body) = try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA, token: token)
                return Set((KnowledgeTestKit.json(body)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [])
            }
            #expect(try await ids("/api/v1/knowledge/news/search?q=printer") == [news, later])
            #expect(try await ids("/api/v1/knowledge/search?q=printer") == [article])
            let agent = try await kit.token()
            #expect(try await ids("/api/v1/knowledge/news/search?q=printer", token: agent) == [news, later, scheduled])
            let lastMonth = Date(timeIntervalSinceNow: -86_400 * 10).formatted(.iso8601.year().month().day())
            #expect(try await ids("/api/v1/knowledge/news/search?q=printer&publishedFrom=\(lastMonth)", token: agent) == [later, scheduled])
            #expect(try await ids("/api/v1/knowledge/news/search?q=printer&publishedTo=\(lastMonth)", token: agent) == [news])
            let (bad, _, problem) = try await KnowledgeTestKit.send(
                client, .get, "/api/v1/knowledge/news/search?q=printer&publishedFrom=yesterday", brand: kit.brandA, token: agent)
            #expect(bad == .unprocessableContent && problem.contains("publishedFrom"))

            let (listed, _, body) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/news", brand: kit.brandA)
            #expect(listed == .ok)
            #expect((KnowledgeTestKit.json(body)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [later, news],
                    "visitors list published news, newest publish date first")
        }
    }
}
