import Fleet
import Foundation
import HTTPTypes
import HummingbirdTesting
import KnowledgeApp
import Testing
import TestSupport

@Suite("Knowledge base portal visibility")
struct PortalVisibilityTests {
    /// The ids of every page of `list`, two at a time, following the cursors.
    static func walk(_ client: any TestClientProtocol, _ list: String, brand: UUID, token: String?) async throws -> [String] {
        try await walkPages { cursor in
            let uri = list + "?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
            let (_, _, text) = try await KnowledgeTestKit.send(client, .get, uri, brand: brand, token: token)
            let page = KnowledgeTestKit.json(text)
            return ((page["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [], page["nextCursor"] as? String)
        }
    }

    @Test("The article list pages newest change first, by cursor, with what each reader may see on every page")
    func listPages() async throws {
        try await KnowledgeTestKit.run { client, kit in
            var created: [(id: String, hidden: Bool)] = []
            for index in 0..<6 {
                let article = try await kit.article(
                    client, brand: kit.brandA, title: "Article \(index)", body: "<p>x</p>", isPrivate: index == 1, isDraft: index == 4)
                created.append((try #require(article["id"] as? String), index == 1 || index == 4))
            }
            let newestFirst = Array(created.reversed())
            #expect(try await Self.walk(client, "/api/v1/knowledge/articles", brand: kit.brandA, token: try await kit.token()) == newestFirst.map(\.id))
            let visitor = try await Self.walk(client, "/api/v1/knowledge/articles", brand: kit.brandA, token: nil)
            #expect(visitor == newestFirst.filter { !$0.hidden }.map(\.id))
        }
    }

    @Test("Each brand's host lists and finds only its own public articles; drafts and private ones only employees find")
    func twoBrands() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let printer = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>Install the printer driver.</p>")["id"] as? String)
            _ = try await kit.article(client, brand: kit.brandB, title: "Printer for brand B", body: "<p>Another printer.</p>")
            let draft = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer draft", body: "<p>printer</p>", isDraft: true)["id"] as? String)
            let secret = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer internals", body: "<p>printer</p>", isPrivate: true)["id"] as? String)

            let (_, _, listed) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles", brand: kit.brandA)
            #expect((KnowledgeTestKit.json(listed)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [printer])
            let (_, _, found) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=printer", brand: kit.brandA)
            #expect((KnowledgeTestKit.json(found)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [printer])
            for hidden in [draft, secret] {
                let (status, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(hidden)", brand: kit.brandA)
                #expect(status == .notFound)
            }
            let (otherBrand, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(printer)", brand: kit.brandB)
            #expect(otherBrand == .notFound, "brand B's host does not show brand A's article")
            let (_, _, sitemap) = try await KnowledgeTestKit.send(client, .get, "/kb/sitemap.xml", brand: kit.brandA)
            #expect(sitemap.contains("/kb/\(printer)/printer-setup") && !sitemap.contains(draft) && !sitemap.contains(secret))

            let employee = try await kit.token()
            let (_, _, staff) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=printer", brand: kit.brandA, token: employee)
            #expect(Set((KnowledgeTestKit.json(staff)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []) == [printer, draft, secret])
            let portalUser = try await kit.token(roles: ["Registered User"])
            let (_, _, user) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=printer", brand: kit.brandA, token: portalUser)
            #expect((KnowledgeTestKit.json(user)["items"] as? [[String: Any]])?.count == 1, "a signed-in customer is still a visitor")
            let (denied, _, _) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles", brand: kit.brandA, token: portalUser, body: #"{"title":"Mine","bodyHTML":"x"}"#)
            #expect(denied == .forbidden)
        }
    }

    @Test("Editing a private draft's title and body keeps it private and a draft; a field sent as null still clears it")
    func editKeepsOmittedFlags() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let hidden = try #require(try await kit.article(
                client, brand: kit.brandA, title: "Internals", summary: "For staff", body: "<p>x</p>", isPrivate: true, isDraft: true)["id"] as? String)
            let (edited, _, text) = try await KnowledgeTestKit.send(
                client, .put, "/api/v1/knowledge/articles/\(hidden)", brand: kit.brandA, token: try await kit.token(),
                body: #"{"title":"Internals, fixed","bodyHTML":"<p>y</p>"}"#)
            let article = KnowledgeTestKit.json(text)
            #expect(edited == .ok)
            #expect(article["isPrivate"] as? Bool == true && article["isDraft"] as? Bool == true && article["summary"] as? String == "For staff")
            let (visitor, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(hidden)", brand: kit.brandA)
            #expect(visitor == .notFound, "a visitor still cannot read it")
            let (_, _, cleared) = try await KnowledgeTestKit.send(
                client, .put, "/api/v1/knowledge/articles/\(hidden)", brand: kit.brandA, token: try await kit.token(),
                body: #"{"title":"Internals, fixed","bodyHTML":"<p>y</p>","summary":null}"#)
            #expect((KnowledgeTestKit.json(cleared)["summary"] as? String ?? "") == "")
        }
    }

    @Test("A public page is server-rendered with title, meta description and canonical link; a stale slug redirects")
    func articlePage() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let article = try await kit.article(
                client, brand: kit.brandA, title: "Reset your password", summary: "How to reset a forgotten password & sign in again.",
                body: "<p>Open <b>Settings</b>.</p>")
            let id = try #require(article["id"] as? String)
            let (status, headers, page) = try await KnowledgeTestKit.send(client, .get, "/kb/\(id)/reset-your-password", brand: kit.brandA)
            #expect(status == .ok)
            #expect(headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.contains("<title>Reset your password</title>"))
            #expect(page.contains(#"<meta name="description" content="How to reset a forgotten password &amp; sign in again.">"#))
            #expect(page.contains(#"<link rel="canonical" href="http://kb.example/kb/\#(id)/reset-your-password">"#))
            let (moved, movedHeaders, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(id)/old-title", brand: kit.brandA)
            #expect(moved == .movedPermanently)
            #expect(movedHeaders[.location] == "/kb/\(id)/reset-your-password")
            let (elsewhere, _, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(id)/reset-your-password", brand: kit.brandB)
            #expect(elsewhere == .notFound)
        }
    }

    @Test("An article shared with a second brand shows on both hosts — list, search, page, sitemap — and on no other")
    func sharedWithAnotherBrand() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let third = UUID()
            let body = #"{"title":"Warranty terms","bodyHTML":"<p>Two years of warranty.</p>","sharedBrandIDs":["\#(kit.brandB.uuidString)","\#(kit.brandA.uuidString)"]}"#
            let (created, _, text) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles", brand: kit.brandA, token: try await kit.token(), body: body)
            #expect(created == .created)
            let article = KnowledgeTestKit.json(text)
            #expect(article["sharedBrandIDs"] as? [String] == [kit.brandB.uuidString.lowercased()], "the owning brand is not listed twice")
            let id = try #require(article["id"] as? String)
            try await kit.indexer.reindex(try #require(UUID(uuidString: id)))
            for brand in [kit.brandA, kit.brandB] {
                let (_, _, listed) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles", brand: brand)
                #expect((KnowledgeTestKit.json(listed)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id], "\(brand)")
                let (_, _, found) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=warranty", brand: brand)
                #expect((KnowledgeTestKit.json(found)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id], "\(brand)")
                let (page, _, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(id)/warranty-terms", brand: brand)
                #expect(page == .ok)
                let (_, _, sitemap) = try await KnowledgeTestKit.send(client, .get, "/kb/sitemap.xml", brand: brand)
                #expect(sitemap.contains(id))
            }
            let (_, _, elsewhere) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=warranty", brand: third)
            #expect((KnowledgeTestKit.json(elsewhere)["items"] as? [[String: Any]])?.isEmpty == true)
            let (hidden, _, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(id)/warranty-terms", brand: third)
            #expect(hidden == .notFound)
            let (bad, _, _) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles", brand: kit.brandA, token: try await kit.token(),
                body: #"{"title":"X","bodyHTML":"<p>x</p>","sharedBrandIDs":["not-a-brand"]}"#)
            #expect(bad == .unprocessableContent)
        }
    }
}
