import Contracts
import Foundation

/// A link found in an article's body, as the broken-link scan checks it.
public enum ArticleLink: Equatable, Hashable, Sendable {
    /// A link to a knowledge base article or news item (`…/kb/<id>/…`, `…/news/<id>/…` on any host): checked
    /// against the database.
    case internalContent(url: String, id: UUID)
    /// Anything else over http(s): checked by requesting it.
    case external(url: String)

    public var url: String {
        switch self {
        case .internalContent(let url, _), .external(let url): url
        }
    }
}

/// The links of a sanitized body, as plain functions: `href`s and `src`s over http(s), unescaped, de-duplicated,
/// in the order they appear (mailto links and site-relative images are not checked).
public enum LinkExtraction {
    public static func links(in html: String) -> [ArticleLink] {
        var seen: Set<String> = []
        var links: [ArticleLink] = []
        for attribute in ["href=\"", "src=\""] {
            var rest = html[...]
            while let start = rest.range(of: attribute) {
                let tail = rest[start.upperBound...]
                guard let end = tail.firstIndex(of: "\"") else { break }
                let url = unescape(String(tail[..<end]))
                rest = tail[end...]
                let lower = url.lowercased()
                guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), seen.insert(url).inserted else { continue }
                links.append(classify(url))
            }
        }
        return links
    }

    /// `…/kb/<id>/…` or `…/news/<id>/…` is internal; everything else external.
    public static func classify(_ url: String) -> ArticleLink {
        guard let components = URLComponents(string: url) else { return .external(url: url) }
        let parts = components.path.split(separator: "/")
        if parts.count >= 2, ["kb", "news"].contains(parts[0]), let id = UUID(parsing: String(parts[1])) {
            return .internalContent(url: url, id: id)
        }
        return .external(url: url)
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}
