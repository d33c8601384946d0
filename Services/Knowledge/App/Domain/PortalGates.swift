import Contracts

/// A brand's "View KB Articles Requires" and "View News Requires" (Settings → Brands → Permissions, seed 001):
/// the role a portal visitor needs to read that kind of content, "Everyone" or "Nobody". Employees always read.
public struct PortalGates: Sendable, Equatable {
    public var articles = PortalAccess.everyone
    public var news = PortalAccess.everyone

    public init(articles: String = PortalAccess.everyone, news: String = PortalAccess.everyone) {
        self.articles = articles
        self.news = news
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
