import Fleet
import Foundation
import HTTPTypes
import HummingbirdTesting
import KnowledgeApp
import Testing
import TestSupport

@Suite("The knowledge base main page, its search page and the advanced search's flags and sub-folders", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct KnowledgeHomeTests {
    static func create(_ client: any TestClientProtocol, _ kit: KnowledgeTestKit, _ fields: [String: Any], path: String = "/api/v1/knowledge/articles") async throws -> String {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self)
        let (status, _, text) = try await KnowledgeTestKit.send(client, .post, path, brand: kit.brandA, token: try await kit.token(), body: body)
        #expect(status == .created, "\(text)")
        let id = try #require(KnowledgeTestKit.json(text)["id"] as? String)
        if path.hasSuffix("articles") { try await kit.indexer.reindex(try #require(UUID(uuidString: id))) }
        return id
    }

    @Test("The main page lists featured public articles under their folder names, never private ones or those of folders the visitor cannot read")
    func featuredArticles() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let hardware = try await Self.create(client, kit, ["name": "Hardware"], path: "/api/v1/knowledge/folders")
            let partners = try await Self.create(client, kit, ["name": "Partners", "viewRequires": "Registered User"], path: "/api/v1/knowledge/folders")
            _ = try await Self.create(client, kit, ["title": "Printer setup", "bodyHTML": "<p>a</p>", "featured": true, "folderID": hardware])
            _ = try await Self.create(client, kit, ["title": "Scanner setup", "bodyHTML": "<p>b</p>", "folderID": hardware])
            _ = try await Self.create(client, kit, ["title": "Internal pricing", "bodyHTML": "<p>c</p>", "featured": true, "isPrivate": true])
            _ = try await Self.create(client, kit, ["title": "Partner rebates", "bodyHTML": "<p>d</p>", "featured": true, "folderID": partners])
            let (status, _, page) = try await KnowledgeTestKit.send(client, .get, "/kb/", brand: kit.brandA)
            #expect(status == .ok)
            #expect(page.contains("<h2>Hardware</h2>") && page.contains(">Printer setup</a>"))
            #expect(!page.contains("Scanner setup") && !page.contains("Internal pricing") && !page.contains("Partner rebates"))
            let (_, _, customerPage) = try await KnowledgeTestKit.send(
                client, .get, "/kb/", brand: kit.brandA, headers: [.authorization: "Bearer \(try await kit.token(roles: ["Registered User"]))"])
            #expect(customerPage.contains("<h2>Partners</h2>") && customerPage.contains("Partner rebates"))
        }
    }

    @Test("The search page renders ranked results whose links carry the search's id; reading one counts the search as finding")
    func searchPage() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let printer = try await Self.create(client, kit, ["title": "Printer setup", "bodyHTML": "<p>Install the printer driver.</p>"])
            let (status, _, page) = try await KnowledgeTestKit.send(client, .get, "/kb/search?q=printer", brand: kit.brandA)
            #expect(status == .ok)
            #expect(page.contains(#"<meta name="robots" content="noindex">"#))
            let link = try #require(page.range(of: #"/kb/\#(printer)/printer-setup?search="#))
            let searchID = String(page[link.upperBound...].prefix(36))
            let visitor: HTTPFields = [HTTPField.Name("X-Concierge-Client-Address")!: "203.0.113.9"]
            let (read, _, _) = try await KnowledgeTestKit.send(client, .get, "/kb/\(printer)/printer-setup?search=\(searchID)", brand: kit.brandA, headers: visitor)
            #expect(read == .ok)
            #expect(try await kit.api.searchLog.flush() == 1)
            let (_, _, report) = try await KnowledgeTestKit.send(
                client, .get, "/api/v1/knowledge/reports/searches", brand: kit.brandA, token: try await kit.token(roles: ["Administrator"]))
            #expect(KnowledgeTestKit.json(report)["searchesResultingInViews"] as? Int == 1)
        }
    }

    @Test("Advanced search narrows to flagged items and to a folder with its sub-folders; an unknown folder finds nothing")
    func flagsAndSubfolders() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let top = try await Self.create(client, kit, ["name": "Hardware"], path: "/api/v1/knowledge/folders")
            let child = try await Self.create(client, kit, ["name": "Printers", "parentID": top], path: "/api/v1/knowledge/folders")
            let featured = try await Self.create(client, kit, ["title": "Printer setup", "bodyHTML": "<p>printer</p>", "featured": true, "folderID": child])
            let plain = try await Self.create(client, kit, ["title": "Printer jams", "bodyHTML": "<p>printer</p>", "review": "review"])
            let staff = try await kit.token()
            func ids(_ query: String) async throws -> Set<String> {
                let (_, _, text) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=printer&\(query)", brand: kit.brandA, token: staff)
                return Set((KnowledgeTestKit.json(text)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [])
            }
            #expect(try await ids("flags=featured") == [featured])
            #expect(try await ids("flags=review") == [plain])
            #expect(try await ids("folderID=\(top)").isEmpty, "the folder alone holds nothing")
            #expect(try await ids("folderID=\(top)&includeSubfolders=true") == [featured])
            #expect(try await ids("folderID=\(UUID())&includeSubfolders=true").isEmpty, "a folder that does not exist holds nothing")
            let (bad, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/search?q=printer&flags=shiny", brand: kit.brandA, token: staff)
            #expect(bad == .badRequest)
        }
    }
}
