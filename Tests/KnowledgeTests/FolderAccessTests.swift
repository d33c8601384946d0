import Auth
import Contracts
import Database
import Fleet
import Foundation
import HTTPTypes
import HummingbirdTesting
import KnowledgeApp
import PostgresNIO
import Search
import Testing
import TestSupport

@Suite("Folders: edit, delete, per-folder portal access and automatic suggestions", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct FolderAccessTests {
    @Test("A folder that says Everyone inherits its parent's access; visitors meet Everyone and their roles, never Nobody")
    func accessRules() {
        #expect(PortalAccess.effective(own: "Everyone", parent: "Partners") == "Partners")
        #expect(PortalAccess.effective(own: "Gold", parent: "Partners") == "Gold")
        #expect(PortalAccess.effective(own: "Everyone", parent: nil) == "Everyone")
        let partner = Principal(userID: "u", email: "u@example.com", sessionID: "s", roles: ["Partners", "Nobody"], isSystemAdministrator: false)
        #expect(PortalAccess.satisfied(by: partner) == ["Everyone", "Partners"])
        #expect(PortalAccess.admits("Partners", partner, employee: false) && !PortalAccess.admits("Nobody", partner, employee: false))
        #expect(PortalAccess.admits("Nobody", nil, employee: true))
        let reader = ArticleReader(brandID: "b", employee: false, satisfies: ["Everyone", "Partners"])
        let query = ArticleSearch.query("printer", reader: reader, language: "en")
        #expect(query.filterGroups.first == [
            ArticleSearchTerms.visitorView(.article, brand: "b", language: "en"), ArticleSearchTerms.restrictedView("Partners", .article, brand: "b", language: "en"),
        ], "one OR group inside the query: open articles and those of folders the visitor may read")
    }

    static func post(_ client: any TestClientProtocol, _ kit: KnowledgeTestKit, _ path: String, _ fields: [String: Any]) async throws -> [String: Any] {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        let (status, _, text) = try await KnowledgeTestKit.send(client, .post, path, brand: kit.brandA, token: try await kit.token(), body: body)
        #expect(status == .created, "\(text)")
        return KnowledgeTestKit.json(text)
    }

    static func article(_ client: any TestClientProtocol, _ kit: KnowledgeTestKit, _ title: String, folder: String?) async throws -> String {
        var fields: [String: Any] = ["title": title, "bodyHTML": "<p>\(title): the printer guide.</p>"]
        if let folder { fields["folderID"] = folder }
        let id = try #require(try await Self.post(client, kit, "/api/v1/knowledge/articles", fields)["id"] as? String)
        try await kit.indexer.reindex(try #require(UUID(uuidString: id)))
        return id
    }

    static func ids(_ text: String) -> Set<String> {
        Set((KnowledgeTestKit.json(text)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [])
    }

    @Test("A folder's access names a role: invisible characters, white space around it or more than 60 characters are a 422 that creates nothing")
    func accessNamesARole() async throws {
        try await KnowledgeTestKit.run { client, kit in
            for requirement in ["\u{200B}", " ", " Registered User", String(repeating: "r", count: 61), "Staff\u{0007}"] {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["name": "F", "viewRequires": requirement]), as: UTF8.self)
                let (status, _, _) = try await KnowledgeTestKit.send(client, .post, "/api/v1/knowledge/folders", brand: kit.brandA, token: try await kit.token(), body: body)
                #expect(status == .unprocessableContent, "\(requirement.debugDescription)")
            }
            let (_, _, list) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/folders", brand: kit.brandA, token: try await kit.token(), body: "")
            #expect(!list.contains(#""name":"F""#), "nothing created")
            _ = try await Self.post(client, kit, "/api/v1/knowledge/folders", ["name": "Staff", "viewRequires": "Nobody"])
        }
    }

    @Test("Articles of a folder for Registered Users stay out of anonymous lists, search, pages and the sitemap, also in its subfolders, until the folder opens")
    func restrictedFolder() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let partners = try #require(try await Self.post(client, kit, "/api/v1/knowledge/folders", ["name": "Partners", "viewRequires": "Registered User"])["id"] as? String)
            let deep = try await Self.post(client, kit, "/api/v1/knowledge/folders", ["name": "Deep", "parentID": partners])
            #expect(deep["access"] as? String == "Registered User", "a subfolder inherits its parent's access")
            let deepID = try #require(deep["id"] as? String)
            let open = try await Self.article(client, kit, "Open guide", folder: nil)
            let closed = try await Self.article(client, kit, "Partner guide", folder: deepID)

            let (_, _, anonymousList) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles", brand: kit.brandA)
            #expect(Self.ids(anonymousList) == [open])
            let (_, _, anonymousSearch) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=printer", brand: kit.brandA)
            #expect(Self.ids(anonymousSearch) == [open])
            let (read, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(closed)", brand: kit.brandA)
            #expect(read == .unauthorized)
            let (page, _, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(closed)/partner-guide", brand: kit.brandA)
            #expect(page == .unauthorized)
            let (_, _, sitemap) = try await KnowledgeTestKit.send(client, .get, "/kb/sitemap.xml", brand: kit.brandA)
            #expect(sitemap.contains(open) && !sitemap.contains(closed))
            let (_, _, folders) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/folders", brand: kit.brandA)
            #expect(Self.ids(folders).isEmpty, "visitors do not see folders they cannot read")

            let customer = try await kit.token(roles: ["Registered User"])
            let (_, _, customerSearch) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=printer", brand: kit.brandA, token: customer)
            #expect(Self.ids(customerSearch) == [open, closed])
            let (_, _, customerList) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles", brand: kit.brandA, token: customer)
            #expect(Self.ids(customerList) == [open, closed])

            let (opened, _, openedText) = try await KnowledgeTestKit.send(
                client, .patch, "/api/v1/knowledge/folders/\(partners)", brand: kit.brandA, token: try await kit.token(), body: #"{"viewRequires":"Everyone"}"#)
            #expect(opened == .ok, "\(openedText)")
            var binds = PostgresBindings()
            binds.append(UUID(uuidString: closed))
            let announced = try await kit.database.client.query(PostgresQuery(unsafeSQL: """
                SELECT count(*) FROM \(kit.database.table("outbox")) WHERE convert_from(payload, 'UTF8') LIKE '%"knowledge.article_access_changed"%'
                """))
            for try await count in announced.decode(Int.self) { #expect(count == 1, "the folder's article is announced for every index") }
            try await kit.indexer.reindex(try #require(UUID(uuidString: closed)))
            let (_, _, afterSearch) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=printer", brand: kit.brandA)
            #expect(Self.ids(afterSearch) == [open, closed])
        }
    }

    @Test("Edit Folder renames and moves, never under itself; Delete Folder deletes what it holds; both need the KB Articles permission")
    func editAndDelete() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let staff = try await kit.token()
            let top = try #require(try await Self.post(client, kit, "/api/v1/knowledge/folders", ["name": "Hardware"])["id"] as? String)
            let child = try #require(try await Self.post(client, kit, "/api/v1/knowledge/folders", ["name": "Printers", "parentID": top])["id"] as? String)
            let inside = try await Self.article(client, kit, "Jam", folder: child)
            let (loop, _, _) = try await KnowledgeTestKit.send(
                client, .patch, "/api/v1/knowledge/folders/\(top)", brand: kit.brandA, token: staff, body: #"{"parentID":"\#(child)"}"#)
            #expect(loop == .unprocessableContent)
            let (renamed, _, text) = try await KnowledgeTestKit.send(
                client, .patch, "/api/v1/knowledge/folders/\(child)", brand: kit.brandA, token: staff, body: #"{"name":"Printing","parentID":null}"#)
            #expect(renamed == .ok)
            #expect(KnowledgeTestKit.json(text)["name"] as? String == "Printing" && KnowledgeTestKit.json(text)["parentID"] == nil)
            let (byCustomer, _, _) = try await KnowledgeTestKit.send(
                client, .delete, "/api/v1/knowledge/folders/\(child)", brand: kit.brandA, token: try await kit.token(roles: ["Registered User"]))
            #expect(byCustomer == .forbidden)
            let admin = try await kit.token(roles: ["Administrator"])
            let (deleted, _, _) = try await KnowledgeTestKit.send(client, .delete, "/api/v1/knowledge/folders/\(child)", brand: kit.brandA, token: admin)
            #expect(deleted == .noContent)
            let (gone, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(inside)", brand: kit.brandA, token: staff)
            #expect(gone == .notFound, "the folder's article is deleted with it")
            let (_, _, left) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/folders", brand: kit.brandA, token: staff)
            #expect(Self.ids(left) == [top])
        }
    }

    @Test("Automatic suggestions come only from folders included in automatic searches, five by default, and never from closed portals")
    func suggestions() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let notes = try #require(try await Self.post(
                client, kit, "/api/v1/knowledge/folders", ["name": "Internal notes", "includeInAutomaticSearch": false])["id"] as? String)
            let suggested = try await Self.article(client, kit, "Printer offline", folder: nil)
            _ = try await Self.article(client, kit, "Printer spooler notes", folder: notes)
            for index in 0..<6 { _ = try await Self.article(client, kit, "Printer tip \(index)", folder: nil) }
            let (_, _, text) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/suggestions?q=my%20printer%20is%20offline", brand: kit.brandA)
            let hits = (KnowledgeTestKit.json(text)["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String } ?? []
            #expect(hits.count == 5 && hits.first == "Printer offline", "\(hits)")
            #expect(!hits.contains("Printer spooler notes"))
            _ = suggested
            let (_, _, spooler) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/suggestions?q=spooler", brand: kit.brandA)
            #expect(Self.ids(spooler).isEmpty)
            try await PortalGateTests.gatesChanged(kit, brand: kit.brandA, articles: "Registered User", news: "Everyone", version: 2)
            let (closed, _, closedText) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/suggestions?q=printer", brand: kit.brandA)
            #expect(closed == .ok && Self.ids(closedText).isEmpty)
            let (folders, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/folders", brand: kit.brandA)
            #expect(folders == .unauthorized, "the brand's gate turns the visitor away from its folders too")
        }
    }
}
