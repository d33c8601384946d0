import Auth
import Database
import Foundation
import Hummingbird
import Search
import ServiceKit

/// The knowledge service's HTTP surface: the API under `/api/v1/knowledge` (articles, news, feedback, broken links,
/// statistics, canned replies) and the portal pages under `/kb` and `/news`.
public struct KnowledgeAPI: Sendable {
    public let store: ArticleStore
    public let search: ArticleSearch?
    public let links: LinkCheckStore
    public let scanner: BrokenLinkScanner
    public let cannedReplies: CannedReplyStore
    /// Portal visitors' searches, written in batches; a service of the fleet runtime.
    public let searchLog: SearchLog
    /// What the service keeps from `identity.events`: agents' departments and the stale-after setting.
    public let directory: IdentityFeed
    let cannedIndex: (any TextSearching)?
    let tokens: TokenService

    /// `index` answers searches; without one the search route is absent. `cannedIndex` ranks canned reply searches.
    /// `linkChecker` requests external links.
    public init(
        database: Database, tokens: TokenService, index: (any TextSearching)? = nil, cannedIndex: (any TextSearching)? = nil,
        linkChecker: ExternalLinkChecker = ExternalLinkChecker(),
        linkConcurrency: Int = 8
    ) {
        self.store = ArticleStore(database: database)
        self.search = index.map { ArticleSearch(index: $0) }
        self.links = LinkCheckStore(database: database)
        self.scanner = BrokenLinkScanner(store: links, checker: linkChecker, concurrency: linkConcurrency)
        self.cannedReplies = CannedReplyStore(database: database)
        self.searchLog = SearchLog(store: store)
        self.directory = IdentityFeed(database: database)
        self.cannedIndex = cannedIndex
        self.tokens = tokens
    }

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        let api = router.group("/api/v1/knowledge").add(middleware: AuthenticationMiddleware(tokens: tokens))
        OpenAPIDocument(resource: Bundle.module.url(forResource: "openapi", withExtension: "yaml")).addRoute(to: api)
        let articles = ArticleController(store: store, search: search, gates: directory.gates, searchLog: searchLog)
        articles.addRoutes(to: api)
        FeedbackController(store: store, articles: articles).addRoutes(to: api)
        FolderController(store: store, gates: directory.gates).addRoutes(to: api)
        SearchReportController(store: store).addRoutes(to: api)
        let news = ArticleController(store: store, search: search, gates: directory.gates, kind: .news)
        news.addRoutes(to: api)
        for content in [articles, news] {
            BrokenLinkController(links: links, scanner: scanner, content: content).addRoutes(to: api)
            StatisticsController(store: store, content: content).addRoutes(to: api)
        }
        CannedReplyController(store: cannedReplies, search: cannedIndex).addRoutes(to: api)
        PortalPages(store: store, gates: directory.gates, tokens: tokens).addRoutes(to: router)
        KnowledgeHomePages(store: store, gates: directory.gates, tokens: tokens, search: search, searchLog: searchLog).addRoutes(to: router)
    }
}
