import Contracts
import Database
import Foundation
import HTTPTypes
import KnowledgeApp
import Testing
import TestSupport

@Suite("View KB Articles Requires and View News Requires", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct PortalGateTests {
    static let visitor = Principal(userID: "u", email: "u@example.com", sessionID: "s", roles: ["Everyone", "Registered User"], isSystemAdministrator: false)

    @Test("A gate admits everyone, nobody but employees, or visitors holding the named role")
    func rules() {
        let gates = BrandPortal(articles: "Registered User", news: "Nobody")
        #expect(gates.admits(Self.visitor, to: .article, employee: false))
        #expect(!gates.admits(nil, to: .article, employee: false))
        #expect(!gates.admits(Self.visitor, to: .news, employee: false))
        #expect(gates.admits(Self.visitor, to: .news, employee: true))
        #expect(BrandPortal().admits(nil, to: .news, employee: false) && BrandPortal().isPublic(.article))
        #expect(!gates.isPublic(.article))
    }

    /// Delivers `brand.settings_changed` for `brand` as identity publishes it (only the fields knowledge reads).
    static func gatesChanged(
        _ kit: KnowledgeTestKit, brand: UUID, articles: String = "Everyone", news: String = "Everyone", voting: Bool = false, moderated: Bool = true,
        version: Int
    ) async throws {
        let event = #"{"type":"brand.settings_changed","data":{"brandID":"\#(brand.uuidString.lowercased())","version":\#(version),"settings":{"defaultFont":"Arial","portal":{"enableKBVoting":\#(voting)},"permissions":{"viewKBArticlesRequires":"\#(articles)","viewNewsRequires":"\#(news)","viewTicketRequires":"Registered User","newFeedbackStartsModerated":\#(moderated)}}}}"#
        try await kit.database.transaction { connection in
            try await kit.api.directory.apply("brand.settings_changed", Array(event.utf8), on: connection)
        }
    }

    @Test("A brand whose articles require Registered User keeps anonymous visitors out of lists, search, pages and the sitemap; the other brand stays open")
    func registeredUsersOnly() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let printer = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>Install the printer.</p>")["id"] as? String)
            let other = try #require(try await kit.article(client, brand: kit.brandB, title: "Printer for B", body: "<p>printer</p>")["id"] as? String)
            let news = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer sale", body: "<p>news</p>", kind: .news)["id"] as? String)
            try await Self.gatesChanged(kit, brand: kit.brandA, articles: "Registered User", news: "Everyone", version: 2)

            for path in ["/api/v1/knowledge/articles", "/api/v1/knowledge/search?q=printer", "/api/v1/knowledge/articles/\(printer)"] {
                let (status, headers, _) = try await KnowledgeTestKit.send(client, .get, path, brand: kit.brandA)
                #expect(status == .unauthorized, "\(path)")
                #expect(headers[.contentType] == "application/problem+json", "\(path)")
            }
            let (page, _, pageBody) = try await KnowledgeTestKit.send(client, .get, "/kb/\(printer)/printer-setup", brand: kit.brandA)
            #expect(page == .unauthorized && !pageBody.contains("Install the printer"))
            let (_, _, sitemap) = try await KnowledgeTestKit.send(client, .get, "/kb/sitemap.xml", brand: kit.brandA)
            #expect(!sitemap.contains(printer) && sitemap.contains(news), "the sitemap lists only what anonymous visitors may read")

            let customer = try await kit.token(roles: ["Registered User"])
            let (_, _, found) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=printer", brand: kit.brandA, token: customer)
            #expect((KnowledgeTestKit.json(found)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [printer])
            let (signedInPage, _, _) = try await KnowledgeTestKit.send(
                client, .get, "/kb/\(printer)/printer-setup", brand: kit.brandA, headers: [.authorization: "Bearer \(customer)"])
            #expect(signedInPage == .ok)
            let (employee, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(printer)", brand: kit.brandA, token: try await kit.token())
            #expect(employee == .ok)
            let (open, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(other)", brand: kit.brandB)
            #expect(open == .ok, "brand B kept the default, Everyone")

            try await Self.gatesChanged(kit, brand: kit.brandA, articles: "Everyone", news: "Everyone", version: 1)
            let (stillClosed, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles", brand: kit.brandA)
            #expect(stillClosed == .unauthorized, "an older settings version is ignored")
        }
    }

    @Test("News that requires Nobody is closed to every visitor, its RSS feed included; employees still read it")
    func newsForNobody() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let item = try #require(try await kit.article(client, brand: kit.brandA, title: "Launch", body: "<p>news</p>", kind: .news)["id"] as? String)
            try await Self.gatesChanged(kit, brand: kit.brandA, articles: "Everyone", news: "Nobody", version: 2)
            let (feed, _, _) = try await KnowledgeTestKit.send(client, .get, "/news/rss.xml", brand: kit.brandA)
            #expect(feed == .unauthorized)
            let customer = try await kit.token(roles: ["Registered User"])
            let (forbidden, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/news", brand: kit.brandA, token: customer)
            #expect(forbidden == .forbidden)
            let (index, _, _) = try await KnowledgeTestKit.send(client, .get, "/news/", brand: kit.brandA, headers: [.authorization: "Bearer \(customer)"])
            #expect(index == .forbidden)
            let (staff, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/news/\(item)", brand: kit.brandA, token: try await kit.token())
            #expect(staff == .ok)
            let (articles, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles", brand: kit.brandA)
            #expect(articles == .ok)
        }
    }
}
