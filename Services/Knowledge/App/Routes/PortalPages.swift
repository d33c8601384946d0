import Auth
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// The public knowledge base and news pages of a brand's portal, served through the gateway for the brand's host:
/// `/kb/<id>/<slug>` and `/news/<id>/<slug>` (server-rendered, with meta description and canonical link; a stale
/// slug redirects), `/news/` (the latest news), `/news/rss.xml` (RSS 2.0, `?language=` for one language) and
/// `/kb/sitemap.xml`. Only public, published content of the host's brand exists here, and only for visitors the
/// brand's portal gates admit (the sitemap and the feed list only what anonymous visitors may read).
public struct PortalPages: Sendable {
    let store: ArticleStore
    let gates: BrandPortalStore
    let tokens: TokenService

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        let signedIn = AuthenticationMiddleware<ServiceRequestContext>(tokens: tokens)
        let kb = router.group("/kb").add(middleware: signedIn)
        kb.get("sitemap.xml") { request, context in
            guard let brand = context.brandID.flatMap(UUID.init(parsing:)) else { throw Problem.notFound("No knowledge base for this host.") }
            let origin = PublicOrigin.of(request)
            let gates = try await gates.gates(of: brand)
            var urls: [String] = []
            for kind in ContentKind.allCases where gates.isPublic(kind) {
                var cursor: Cursor?
                repeat {
                    let page = try await store.list(
                        kind: kind, brandID: brand, language: nil, folderID: nil, publicOnly: true,
                        page: PageRequest(limit: PageRequest.maximumLimit, cursor: cursor))
                    urls += page.items.map { article in
                        "<url><loc>\(SafeHTML.escape(origin + Self.path(article)))</loc><lastmod>\(article.updatedAt.formatted(.iso8601))</lastmod></url>"
                    }
                    cursor = try page.nextCursor.map { try Cursor(decoding: $0) }
                } while cursor != nil && urls.count < 50_000
            }
            let xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
                + #"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"# + urls.joined() + "</urlset>\n"
            return Self.response(xml, type: "application/xml; charset=utf-8")
        }
        for kind in ContentKind.allCases {
            router.group("/\(kind.portalPath)").add(middleware: signedIn).get("{id}/{slug}") { request, context in
                guard let brand = context.brandID, let id = UUID(parsing: context.parameters.get("id") ?? "") else {
                    return Self.response(Self.notFoundPage, status: .notFound, type: "text/html; charset=utf-8")
                }
                guard let article = try await store.find(id), article.kind == kind, article.isVisible(), article.isShown(inBrand: brand.lowercased()) else {
                    // Forwarded only to a page the visitor may read: the address names its title.
                    if let target = try await store.forwarded(from: id), target.isShown(inBrand: brand.lowercased()) {
                        let gate = try await gates.gates(ofBrand: brand)
                        let access = try await store.folderAccess(target.folderID)
                        let readable = (try? KnowledgeReaders.checkGate(gate, kind, context.principal)) != nil
                            && (try? KnowledgeReaders.checkFolder(access, context.principal)) != nil
                        if readable { return Response(status: .movedPermanently, headers: [.location: Self.path(target)]) }
                    }
                    return Self.response(Self.notFoundPage, status: .notFound, type: "text/html; charset=utf-8")
                }
                let gate = try await gates.gates(ofBrand: brand)
                let access = try await store.folderAccess(article.folderID)
                if let refused = try Self.refusal({
                    try KnowledgeReaders.checkGate(gate, kind, context.principal)
                    try KnowledgeReaders.checkFolder(access, context.principal)
                }) { return refused }
                guard context.parameters.get("slug") == article.slug else {
                    return Response(status: .movedPermanently, headers: [.location: Self.path(article)])
                }
                try await Visit.record(article, store: store, request: request, context: context)
                let origin = PublicOrigin.of(request)
                // Alternates only among the translations this visitor may read here: each link names its title.
                var readable: [Article] = []
                for member in try await store.translations(of: article) where member.isShown(inBrand: brand.lowercased()) {
                    let memberAccess = try await store.folderAccess(member.folderID)
                    if (try? KnowledgeReaders.checkFolder(memberAccess, context.principal)) != nil { readable.append(member) }
                }
                let alternates = TranslationRules.alternates(of: article, in: readable)
                return Self.response(Self.page(article, canonical: origin + Self.path(article), alternates: alternates, origin: origin), type: "text/html; charset=utf-8")
            }
        }
        let news = router.group("/news").add(middleware: signedIn)
        news.get("rss.xml") { request, context in
            let (brand, language) = try Self.brandAndLanguage(request, context)
            try KnowledgeReaders.checkGate(try await gates.gates(of: brand), .news, context.principal)
            let items = try await store.list(
                kind: .news, brandID: brand, language: language, folderID: nil, publicOnly: true, page: PageRequest(limit: 50, cursor: nil),
                satisfies: PortalAccess.satisfied(by: context.principal))
            let origin = PublicOrigin.of(request)
            let channel = NewsFeed.Channel(
                title: "News — \(PublicOrigin.host(of: request))", link: origin + "/news/", feedURL: origin + request.uri.description,
                description: "The latest news from \(PublicOrigin.host(of: request))", language: language)
            return Self.response(NewsFeed.rss(channel, items: items.items, origin: origin), type: "application/rss+xml; charset=utf-8")
        }
        news.get("/") { request, context in
            let (brand, language) = try Self.brandAndLanguage(request, context)
            let gate = try await gates.gates(of: brand)
            if let refused = try Self.refusal({ try KnowledgeReaders.checkGate(gate, .news, context.principal) }) { return refused }
            let items = try await store.list(
                kind: .news, brandID: brand, language: language, folderID: nil, publicOnly: true, page: PageRequest(limit: 20, cursor: nil),
                satisfies: PortalAccess.satisfied(by: context.principal))
            return Self.response(Self.newsIndex(items.items, origin: PublicOrigin.of(request)), type: "text/html; charset=utf-8")
        }
    }

    /// The page a visitor a portal requirement keeps out gets instead of the content: 401 asking an anonymous one
    /// to sign in, else 403; nil when `check` lets them in.
    static func refusal(_ check: () throws -> Void) throws -> Response? {
        do {
            try check()
            return nil
        } catch let problem as Problem {
            let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\"><title>Sign in</title></head>"
                + "<body><h1>\(SafeHTML.escape(problem.detail ?? "Sign in"))</h1></body></html>\n"
            return response(page, status: problem.status, type: "text/html; charset=utf-8")
        }
    }

    /// The host's brand and the `?language=` asked for (nil: every language).
    static func brandAndLanguage(_ request: Request, _ context: ServiceRequestContext) throws -> (UUID, String?) {
        guard let brand = context.brandID.flatMap(UUID.init(parsing:)) else { throw Problem.notFound("No portal for this host.") }
        let language = try request.uri.queryParameters["language"].map { try KnowledgeReaders.language(String($0), acceptLanguage: nil) }
        return (brand, language)
    }

    static func newsIndex(_ items: [Article], origin: String) -> String {
        let list = items.map { item in
            let date = item.publishedAt.formatted(.iso8601.year().month().day())
            return "<li><a href=\"\(SafeHTML.escape(path(item)))\">\(SafeHTML.escape(item.title))</a> <time datetime=\"\(date)\">\(date)</time>"
                + "<p>\(SafeHTML.escape(item.summary))</p></li>"
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html>
            <head>
            <meta charset="utf-8">
            <title>News</title>
            <link rel="canonical" href="\(SafeHTML.escape(origin))/news/">
            <link rel="alternate" type="application/rss+xml" title="News" href="/news/rss.xml">
            </head>
            <body>
            <main>
            <h1>News</h1>
            <ul>
            \(list)
            </ul>
            </main>
            </body>
            </html>

            """
    }

    static func path(_ article: Article) -> String { "/\(article.kind.portalPath)/\(article.id)/\(article.slug)" }

    static func page(_ article: Article, canonical: String, alternates: [Article] = [], origin: String = "") -> String {
        let title = SafeHTML.escape(article.title)
        let links = ([article] + alternates).map { member in
            "<link rel=\"alternate\" hreflang=\"\(SafeHTML.escape(member.language))\" href=\"\(SafeHTML.escape(origin + path(member)))\">"
        }
        let languages = alternates.isEmpty ? "" : "\n" + links.joined(separator: "\n")
        let description = SafeHTML.escape(article.summary.isEmpty ? String(article.bodyText.prefix(160)) : article.summary)
        return """
            <!DOCTYPE html>
            <html lang="\(SafeHTML.escape(article.language))">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <meta name="description" content="\(description)">
            <link rel="canonical" href="\(SafeHTML.escape(canonical))">\(languages)
            </head>
            <body>
            <main>
            <article>
            <h1>\(title)</h1>
            \(article.bodyHTML)
            <p><small>Updated <time datetime="\(article.updatedAt.formatted(.iso8601))">\(article.updatedAt.formatted(date: .long, time: .omitted))</time></small></p>
            </article>
            </main>
            </body>
            </html>

            """
    }

    static let notFoundPage = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Not found</title></head><body><h1>Not found</h1></body></html>\n"

    static func response(_ text: String, status: HTTPResponse.Status = .ok, type: String) -> Response {
        Response(status: status, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
