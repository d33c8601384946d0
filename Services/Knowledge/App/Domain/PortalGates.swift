import Contracts

/// A brand's "View KB Articles Requires" and "View News Requires" (Settings → Brands → Permissions, seed 001):
/// the role a portal visitor needs to read that kind of content, "Everyone" or "Nobody". Employees always read.
public struct PortalGates: Sendable, Equatable {
    public var articles = "Everyone"
    public var news = "Everyone"

    public init(articles: String = "Everyone", news: String = "Everyone") {
        self.articles = articles
        self.news = news
    }

    public func requirement(for kind: ContentKind) -> String {
        kind == .article ? articles : news
    }

    /// Whether `principal` (nil: an anonymous visitor) may read `kind` on this brand's portal.
    public func admits(_ principal: Principal?, to kind: ContentKind, employee: Bool) -> Bool {
        if employee { return true }
        switch requirement(for: kind) {
        case "Everyone": return true
        case "Nobody": return false
        case let role: return principal?.roles.contains(role) ?? false
        }
    }

    /// Whether anonymous visitors (and so crawlers and feed readers) may read `kind`.
    public func isPublic(_ kind: ContentKind) -> Bool {
        requirement(for: kind) == "Everyone"
    }
}
