import Contracts
import Foundation
import HTTPTypes
import KnowledgeApp
import Testing

@Suite("Article statistics and helpfulness")
struct ArticleStatisticsTests {
    static func visitor(_ address: String, agent: String) -> HTTPFields {
        [HTTPField.Name(InternalHeaders.clientAddress)!: address, .userAgent: agent]
    }

    @Test("Views count hits, people once a day and spiders apart; employees' reads are not counted; ratings keep each person's last")
    func statistics() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let id = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>Install it.</p>")["id"] as? String)
            let browser = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"
            for _ in 0..<2 {
                let (status, _, _) = try await KnowledgeTestKit.send(
                    client, .get, "/kb/\(id)/printer-setup", brand: kit.brandA, headers: Self.visitor("203.0.113.7", agent: browser))
                #expect(status == .ok)
            }
            _ = try await KnowledgeTestKit.send(
                client, .get, "/kb/\(id)/printer-setup", brand: kit.brandA,
                headers: Self.visitor("66.249.66.1", agent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"))
            let customer = try await kit.token(roles: ["Registered User"])
            _ = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(id)", brand: kit.brandA, token: customer,
                                                headers: [.userAgent: browser])
            let agent = try await kit.token()
            _ = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(id)", brand: kit.brandA, token: agent)

            let other = try await kit.token(roles: ["Registered User"])
            let (votingOff, _, _) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles/\(id)/rating", brand: kit.brandA, token: customer, body: #"{"helpful":true}"#)
            #expect(votingOff == .forbidden, "voting is off until the brand enables it")
            try await PortalGateTests.gatesChanged(kit, brand: kit.brandA, voting: true, version: 2)
            for (token, helpful) in [(customer, true), (other, false), (customer, false)] {
                let (rated, _, _) = try await KnowledgeTestKit.send(
                    client, .post, "/api/v1/knowledge/articles/\(id)/rating", brand: kit.brandA, token: token, body: #"{"helpful":\#(helpful)}"#)
                #expect(rated == .noContent)
            }

            let (status, _, body) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(id)/statistics", brand: kit.brandA, token: agent)
            #expect(status == .ok)
            let figures = KnowledgeTestKit.json(body)
            #expect(figures["hits"] as? Int == 4)
            #expect(figures["userVisits"] as? Int == 2)
            #expect(figures["spiderVisits"] as? Int == 1)
            #expect(figures["totalVisits"] as? Int == 3)
            #expect(figures["helpful"] as? Int == 0 && figures["notHelpful"] as? Int == 2)

            let (past, _, old) = try await KnowledgeTestKit.send(
                client, .get, "/api/v1/knowledge/articles/\(id)/statistics?from=2020-01-01&to=2020-12-31", brand: kit.brandA, token: agent)
            #expect(past == .ok && KnowledgeTestKit.json(old)["hits"] as? Int == 0, "no views in 2020")
            let (denied, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(id)/statistics", brand: kit.brandA, token: customer)
            #expect(denied == .forbidden)
            let (bad, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(id)/statistics?from=soon", brand: kit.brandA, token: agent)
            #expect(bad == .unprocessableContent)
        }
    }

    @Test("Crawlers are told from people by their User-Agent; no User-Agent is a script")
    func spiders() {
        #expect(Visitors.isSpider(userAgent: "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"))
        #expect(Visitors.isSpider(userAgent: "Mozilla/5.0 (compatible; Baiduspider/2.0)"))
        #expect(Visitors.isSpider(userAgent: nil))
        #expect(!Visitors.isSpider(userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"))
    }
}
