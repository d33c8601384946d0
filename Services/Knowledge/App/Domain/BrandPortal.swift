import Auth
import Contracts

/// What the knowledge base follows of a brand's portal settings (Settings → Brands, seed 001): "View KB Articles
/// Requires" and "View News Requires" — the role a portal visitor needs to read that kind of content, "Everyone" or
/// "Nobody"; employees always read —, "Enable voting for knowledge base articles" (default off) and "New feedback
/// starts out moderated" (default on).
public struct BrandPortal: Sendable, Equatable {
    public var articles = PortalAccess.everyone
    public var news = PortalAccess.everyone
    public var votingEnabled = false
    public var feedbackModerated = true

    public init(
        articles: String = PortalAccess.everyone, news: String = PortalAccess.everyone, votingEnabled: Bool = false, feedbackModerated: Bool = true
    ) {
        self.articles = articles
        self.news = news
        self.votingEnabled = votingEnabled
        self.feedbackModerated = feedbackModerated
    }

    public func requirement(for kind: ContentKind) -> String {
        kind == .article ? articles : news
    }

    /// Whether `principal` (nil: an anonymous visitor) may read `kind` on this brand's portal.
    public func admits(_ principal: Principal?, to kind: ContentKind, employee: Bool) -> Bool {
        PortalAccess.admits(requirement(for: kind), principal, employee: employee)
    }

    /// Whether anonymous visitors (and so crawlers and feed readers) may read `kind`.
    public func isPublic(_ kind: ContentKind) -> Bool {
        requirement(for: kind) == PortalAccess.everyone
    }
}
