import Foundation

/// Who reads an article, for its statistics: a search-engine spider or a person, told apart by the User-Agent
/// header at view time; a person is counted once per day as a visitor however often they read it.
public enum Visitors {
    /// Words that only crawlers put in their User-Agent (Googlebot, bingbot, Baiduspider, Slurp, crawler
    /// libraries …). A missing User-Agent is a script, not a person.
    static let spiderMarkers = [
        "bot", "crawl", "spider", "slurp", "bingpreview", "facebookexternalhit", "mediapartners", "feedfetcher", "archiver", "curl/", "wget/",
        "python-requests", "httpclient",
    ]

    public static func isSpider(userAgent: String?) -> Bool {
        guard let agent = userAgent?.lowercased(), !agent.isEmpty else { return true }
        return spiderMarkers.contains { agent.contains($0) }
    }
}

/// An article's (or news item's) figures over a time range, as the Statistics tab and the KB reports count them.
public struct ArticleStatistics: Codable, Sendable, Equatable {
    public var articleID: String
    public var from: Date
    public var to: Date
    /// Times viewed (people and spiders).
    public var hits: Int
    /// Distinct people per day.
    public var userVisits: Int
    /// Distinct spiders per day.
    public var spiderVisits: Int
    public var totalVisits: Int
    /// Helpfulness ratings (all time): one per person, the last one counts.
    public var helpful: Int
    public var notHelpful: Int
}
