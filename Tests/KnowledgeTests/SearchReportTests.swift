import Foundation
import HTTPTypes
import HummingbirdTesting
import KnowledgeApp
import Testing
import TestSupport

@Suite("Knowledge Base search reports: searches, % finding, without results, without views", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct SearchReportTests {
    @Test("% Finding is searches resulting in views over searches, to a tenth of a percent")
    func percentFinding() {
        #expect(SearchReport.percent(1, of: 3) == 33.3)
        #expect(SearchReport.percent(2, of: 2) == 100)
        #expect(SearchReport.percent(0, of: 0) == 0)
    }

    @Test("Logged searches, views and ratings do not make the index feed re-read anything; changes and folder moves do")
    func indexFeedIgnoresReadEvents() {
        for type in ["knowledge.search_performed", "knowledge.article_viewed", "knowledge.article_rated", "knowledge.feedback_created"] {
            #expect(!ArticleIndexer.documentEvents.contains(type), "\(type)")
        }
        for type in ["knowledge.article_updated", "knowledge.news_deleted", "knowledge.article_purged", "knowledge.article_access_changed"] {
            #expect(ArticleIndexer.documentEvents.contains(type), "\(type)")
        }
    }

    @Test("Visitors' searches are logged with an id; reading a result with it counts the search as finding; the report lists what found nothing and what nobody read")
    func searchesReport() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let printer = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>Install the printer.</p>")["id"] as? String)
            _ = try await kit.article(client, brand: kit.brandA, title: "Scanner setup", body: "<p>Install the scanner.</p>")
            let customer = try await kit.token(roles: ["Registered User"])
            func search(_ text: String) async throws -> String? {
                let (_, _, body) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=\(text)", brand: kit.brandA, token: customer)
                return KnowledgeTestKit.json(body)["searchID"] as? String
            }
            let found = try #require(try await search("printer"))
            #expect(try await search("scanner") != nil)
            #expect(try await search("qqqxyzzy") != nil)
            let (_, _, staff) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=printer", brand: kit.brandA, token: try await kit.token())
            #expect(KnowledgeTestKit.json(staff)["searchID"] == nil, "employees' searches are not the portal's")
            let (read, _, _) = try await KnowledgeTestKit.send(
                client, .get, "/api/v1/knowledge/articles/\(printer)?search=\(found)", brand: kit.brandA, token: customer)
            #expect(read == .ok)
            #expect(try await kit.api.searchLog.flush() == 3)

            let (status, _, text) = try await KnowledgeTestKit.send(
                client, .get, "/api/v1/knowledge/reports/searches", brand: kit.brandA, token: try await kit.token(roles: ["Administrator"]))
            #expect(status == .ok, "\(text)")
            let report = KnowledgeTestKit.json(text)
            #expect(report["searches"] as? Int == 3)
            #expect(report["visitorsSearching"] as? Int == 1)
            #expect(report["searchesResultingInViews"] as? Int == 1)
            #expect(report["percentFinding"] as? Double == 33.3)
            #expect((report["withoutResults"] as? [[String: Any]])?.compactMap { $0["query"] as? String } == ["qqqxyzzy"])
            #expect((report["withoutViews"] as? [[String: Any]])?.compactMap { $0["query"] as? String } == ["scanner"])
            let (refused, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/reports/searches", brand: kit.brandA, token: customer)
            #expect(refused == .forbidden)
        }
    }
}
