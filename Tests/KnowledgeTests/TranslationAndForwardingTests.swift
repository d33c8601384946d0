import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import KnowledgeApp
import Testing
import TestSupport

@Suite("Linked translations and forwarded pages of deleted articles", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TranslationAndForwardingTests {
    static func article(id: String, brand: String = "b", language: String, translationOf: String? = nil) throws -> Article {
        var article = try ArticleRules.article(
            from: ArticleInput(language: language, title: "Title \(id)", bodyHTML: "<p>x</p>"), id: id, brandID: brand, existing: nil, now: Date())
        article.translationOf = translationOf
        return article
    }

    @Test("A translation joins its target's group under the root, one per language, only within one brand")
    func linkingRules() throws {
        let root = try Self.article(id: "root", language: "en")
        let german = try Self.article(id: "de", language: "de", translationOf: "root")
        let french = try Self.article(id: "fr", language: "fr", translationOf: "de")
        #expect(try TranslationRules.link(french, to: german, group: [root, german], headsGroup: false).translationOf == "root")
        let secondGerman = try Self.article(id: "de2", language: "de", translationOf: "root")
        #expect(throws: (any Error).self) { try TranslationRules.link(secondGerman, to: root, group: [root, german], headsGroup: false) }
        let otherBrand = try Self.article(id: "x", brand: "other", language: "it", translationOf: "root")
        #expect(throws: (any Error).self) { try TranslationRules.link(otherBrand, to: root, group: [root], headsGroup: false) }
        let head = try Self.article(id: "head", language: "es", translationOf: "root")
        #expect(throws: (any Error).self) { try TranslationRules.link(head, to: root, group: [root], headsGroup: true) }
        #expect(TranslationRules.alternates(of: root, in: [root, german, french]).map(\.id) == ["de", "fr"])
    }

    static func create(_ client: any TestClientProtocol, _ kit: KnowledgeTestKit, _ fields: [String: Any]) async throws -> (HTTPResponse.Status, [String: Any]) {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        let (status, _, text) = try await KnowledgeTestKit.send(
            client, .post, "/api/v1/knowledge/articles", brand: kit.brandA, token: try await kit.token(), body: body)
        return (status, KnowledgeTestKit.json(text))
    }

    @Test("Translations list the group by language, visitors only its visible members, and the page names them as hreflang alternates")
    func translationsTab() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let (_, root) = try await Self.create(client, kit, ["title": "Reset a password", "bodyHTML": "<p>Steps</p>", "language": "en"])
            let rootID = try #require(root["id"] as? String)
            let (_, german) = try await Self.create(client, kit, ["title": "Passwort zurücksetzen", "bodyHTML": "<p>Schritte</p>", "language": "de", "translationOf": rootID])
            let germanID = try #require(german["id"] as? String)
            let (_, french) = try await Self.create(
                client, kit, ["title": "Réinitialiser", "bodyHTML": "<p>Étapes</p>", "language": "fr", "translationOf": germanID, "isDraft": true])
            #expect(french["translationOf"] as? String == rootID, "a translation of a translation joins the root's group")
            let (duplicate, problem) = try await Self.create(client, kit, ["title": "Noch einmal", "bodyHTML": "<p>x</p>", "language": "de", "translationOf": rootID])
            #expect(duplicate == .unprocessableContent)
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "language")
            let (_, _, otherBrand) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles", brand: kit.brandB, token: try await kit.token(),
                body: #"{"title":"Other","bodyHTML":"<p>x</p>","language":"it","translationOf":"\#(rootID)"}"#)
            #expect((KnowledgeTestKit.json(otherBrand)["errors"] as? [[String: String]])?.first?["field"] == "translationOf")

            let (_, _, staffText) = try await KnowledgeTestKit.send(
                client, .get, "/api/v1/knowledge/articles/\(germanID)/translations", brand: kit.brandA, token: try await kit.token())
            #expect((KnowledgeTestKit.json(staffText)["items"] as? [[String: Any]])?.compactMap { $0["language"] as? String } == ["de", "en", "fr"])
            let (_, _, visitorText) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(rootID)/translations", brand: kit.brandA)
            #expect((KnowledgeTestKit.json(visitorText)["items"] as? [[String: Any]])?.compactMap { $0["language"] as? String } == ["de", "en"])

            let (_, _, page) = try await KnowledgeTestKit.send(client, .get, "/kb/\(rootID)/reset-a-password", brand: kit.brandA)
            #expect(page.contains(#"hreflang="de" href="http://kb.example/kb/\#(germanID)/"#))
            #expect(page.contains(#"hreflang="en""#) && !page.contains(#"hreflang="fr""#), "the draft is no alternate")

            // A translation in a folder the visitor may not open is neither listed nor linked for them.
            let partners = try #require(try await FolderAccessTests.post(client, kit, "/api/v1/knowledge/folders", ["name": "Partners", "viewRequires": "Registered User"])["id"] as? String)
            let (_, spanish) = try await Self.create(
                client, kit, ["title": "Restablecer", "bodyHTML": "<p>Pasos</p>", "language": "es", "translationOf": rootID, "folderID": partners])
            #expect(spanish["folderID"] as? String == partners)
            let (_, _, restricted) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(rootID)/translations", brand: kit.brandA)
            #expect((KnowledgeTestKit.json(restricted)["items"] as? [[String: Any]])?.compactMap { $0["language"] as? String } == ["de", "en"])
            let (_, _, restrictedPage) = try await KnowledgeTestKit.send(client, .get, "/kb/\(rootID)/reset-a-password", brand: kit.brandA)
            #expect(!restrictedPage.contains(#"hreflang="es""#))
        }
    }

    @Test("An article's translations are read from their index, not from every article")
    func translationsReadTheirGroup() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let id = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>a</p>")["id"] as? String)
            let articles = kit.database.table("articles")
            try await kit.database.copyRows(of: articles, where: "r.id = '\(id)'", copies: 20_000)
            let plan = try await QueryPlan.explain(
                "SELECT id FROM \(articles) WHERE \(ArticleStore.translationGroup) ORDER BY language, id", values: ["'\(id)'::uuid"], on: kit.database)
            #expect(try plan.rowsRead(from: "articles") <= 10)
        }
    }

    @Test("Deleting with forwardTo sends the old page's visitors on for good, even after the purge; a forward elsewhere is 422 and deletes nothing")
    func forwardTraffic() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let old = try #require(try await kit.article(client, brand: kit.brandA, title: "Old printer guide", body: "<p>a</p>")["id"] as? String)
            let new = try #require(try await kit.article(client, brand: kit.brandA, title: "New printer guide", body: "<p>b</p>")["id"] as? String)
            let elsewhere = try #require(try await kit.article(client, brand: kit.brandB, title: "Brand B guide", body: "<p>c</p>")["id"] as? String)
            let admin = try await kit.token(roles: ["Administrator"])
            let (refused, _, _) = try await KnowledgeTestKit.send(
                client, .delete, "/api/v1/knowledge/articles/\(old)?forwardTo=\(elsewhere)", brand: kit.brandA, token: admin)
            #expect(refused == .unprocessableContent)
            let (stillThere, _, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(old)/old-printer-guide", brand: kit.brandA)
            #expect(stillThere == .ok)

            let (deleted, _, _) = try await KnowledgeTestKit.send(
                client, .delete, "/api/v1/knowledge/articles/\(old)?forwardTo=\(new)", brand: kit.brandA, token: admin)
            #expect(deleted == .noContent)
            let (moved, headers, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(old)/old-printer-guide", brand: kit.brandA)
            #expect(moved == .movedPermanently)
            #expect(headers[.location] == "/kb/\(new)/new-printer-guide")
            #expect(try await kit.api.store.purgeDeleted(before: Date().addingTimeInterval(60)) == 1)
            let (afterPurge, purgedHeaders, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(old)/anything", brand: kit.brandA)
            #expect(afterPurge == .movedPermanently && purgedHeaders[.location] == "/kb/\(new)/new-printer-guide")
            let (otherHost, _, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(old)/old-printer-guide", brand: kit.brandB)
            #expect(otherHost == .notFound, "another brand's host does not forward")
        }
    }

    @Test("A deleted page forwards a visitor only to a page they may read: its address names its title")
    func forwardOnlyToReadable() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let partners = try #require(try await FolderAccessTests.post(client, kit, "/api/v1/knowledge/folders", ["name": "Partners", "viewRequires": "Registered User"])["id"] as? String)
            let old = try #require(try await kit.article(client, brand: kit.brandA, title: "Old pricing", body: "<p>a</p>")["id"] as? String)
            let (_, secret) = try await Self.create(client, kit, ["title": "Partner discount codes", "bodyHTML": "<p>b</p>", "language": "en", "folderID": partners])
            let target = try #require(secret["id"] as? String)
            let (deleted, _, _) = try await KnowledgeTestKit.send(
                client, .delete, "/api/v1/knowledge/articles/\(old)?forwardTo=\(target)", brand: kit.brandA, token: try await kit.token(roles: ["Administrator"]))
            #expect(deleted == .noContent)
            let (visitor, headers, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(old)/old-pricing", brand: kit.brandA)
            #expect(visitor == .notFound && headers[.location] == nil)
        }
    }
}
