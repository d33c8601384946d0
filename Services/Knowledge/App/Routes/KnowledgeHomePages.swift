import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// The knowledge base main page of a brand's portal (`/kb/`: a search box and the featured articles under their
/// folder names) and its server-rendered search results (`/kb/search?q=`, not indexed by crawlers), each result
/// linking to its page with the search's id so a read counts the search as finding.
public struct KnowledgeHomePages: Sendable {
    let store: ArticleStore
    let gates: BrandPortalStore
    let tokens: TokenService
    let search: ArticleSearch?
    let searchLog: SearchLog?

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        let kb = router.group("/kb").add(middleware: AuthenticationMiddleware<ServiceRequestContext>(tokens: tokens))
        kb.get("/") { request, context in
            let (brand, language, refused) = try await visitor(request, context)
            if let refused { return refused }
            let featured = try await store.featured(brandID: brand, language: language, satisfies: PortalAccess.satisfied(by: context.principal))
            var sections: [String] = []
            var current: String??
            for (folder, article) in featured {
                if current != .some(folder) {
                    if current != nil { sections.append("</ul></section>") }
                    sections.append("<section><h2>\(SafeHTML.escape(folder ?? "Featured"))</h2><ul>")
                    current = .some(folder)
                }
                sections.append("<li><a href=\"\(SafeHTML.escape(PortalPages.path(article)))\">\(SafeHTML.escape(article.title))</a></li>")
            }
            if current != nil { sections.append("</ul></section>") }
            let origin = PublicOrigin.of(request)
            return PortalPages.response(Self.page(
                title: "Knowledge Base", canonical: origin + "/kb/", robots: nil, language: language, query: "", body: sections.joined(separator: "\n")),
                type: "text/html; charset=utf-8")
        }
        kb.get("search") { request, context in
            let (brand, language, refused) = try await visitor(request, context)
            if let refused { return refused }
            guard let search, let text = FormQuery.value("q", in: request.uri.query)?.nonEmptyText, text.count <= 500 else {
                return Response(status: .seeOther, headers: [.location: "/kb/"])
            }
            let reader = ArticleReader(brandID: brand.lowercased, employee: false, satisfies: PortalAccess.satisfied(by: context.principal))
            let results = try await search.search(ArticleSearch.query(text, reader: reader, language: language, limit: 20))
            let searchID = searchLog?.note(text, reader: reader, language: language, results: results, context: context) ?? UUIDv7.generate().lowercased
            if results.items.isEmpty { try await store.recordUnsuccessfulSearch(text, brandID: brand, language: language, employee: false) }
            var body = results.correctedResults ? "<p>Showing results for <b>\(SafeHTML.escape(results.suggestion ?? ""))</b>.</p>\n" : ""
            body += results.items.isEmpty ? "<p>No articles found.</p>" : "<ol>\n" + results.items.map { hit in
                "<li><a href=\"/kb/\(SafeHTML.escape(hit.id))/\(SafeHTML.escape(hit.slug))?search=\(searchID)\">\(SafeHTML.escape(hit.title))</a>"
                    + "<p>\(hit.snippet)</p></li>"
            }.joined(separator: "\n") + "\n</ol>"
            return PortalPages.response(Self.page(
                title: "Search: \(text)", canonical: nil, robots: "noindex", language: language, query: text, body: body), type: "text/html; charset=utf-8")
        }
    }

    /// The host's brand, the reader's language, and the refusal page when the brand's portal keeps them out.
    private func visitor(_ request: Request, _ context: ServiceRequestContext) async throws -> (UUID, String, Response?) {
        guard let brand = context.brandID.flatMap(UUID.init(parsing:)) else { throw Problem.notFound("No knowledge base for this host.") }
        let language = try KnowledgeReaders.language(request.uri.queryParameters["language"].map(String.init), acceptLanguage: request.headers[.acceptLanguage])
        let portal = try await gates.gates(of: brand)
        let refused = try PortalPages.refusal { try KnowledgeReaders.checkGate(portal, .article, context.principal) }
        return (brand, language, refused)
    }

    static func page(title: String, canonical: String?, robots: String?, language: String, query: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(SafeHTML.escape(language))">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(SafeHTML.escape(title))</title>\(canonical.map { "\n<link rel=\"canonical\" href=\"\(SafeHTML.escape($0))\">" } ?? "")\(robots.map { "\n<meta name=\"robots\" content=\"\($0)\">" } ?? "")
        </head>
        <body>
        <main>
        <h1>Knowledge Base</h1>
        <form action="/kb/search" method="get" role="search"><input type="search" name="q" value="\(SafeHTML.escape(query))" aria-label="Search the knowledge base"><button>Search</button></form>
        \(body)
        </main>
        </body>
        </html>

        """
    }
}
