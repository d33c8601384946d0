import Foundation

/// A portal visitor's search, as the Knowledge Base search reports count it (seed 001, 4959-4990).
public struct SearchRecord: Codable, Sendable, Equatable {
    public var searchID: String
    public var brandID: String
    public var language: String
    public var query: String
    /// The signed-in person or the client's address (`Visit.visitorKey`), for "Visitors Searching".
    public var visitorKey: String?
    public var resultCount: Int
    public var searchedAt: Date
}

/// The Searches report over a period, with its two lists: what found nothing and what was found but not read.
public struct SearchReport: Codable, Sendable, Equatable {
    public struct QueryCount: Codable, Sendable, Equatable {
        public var query: String
        public var searches: Int
    }

    public var searches: Int
    public var visitorsSearching: Int
    public var averageResultCount: Double
    public var searchesResultingInViews: Int
    /// Searches Resulting in Views ÷ Searches, as a percentage (0 without searches).
    public var percentFinding: Double
    /// Results read per search.
    public var averageArticlesViewed: Double
    /// "Searches Without Results", most frequent first.
    public var withoutResults: [QueryCount]
    /// "Searches Without Views": searches that found something nobody then read.
    public var withoutViews: [QueryCount]

    public static func percent(_ part: Int, of whole: Int) -> Double {
        whole == 0 ? 0 : (Double(part) * 1000 / Double(whole)).rounded() / 10
    }
}
