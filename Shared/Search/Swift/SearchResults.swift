/// A page of hits for a ``SearchQuery``.
public struct SearchResults: Sendable {
    public var hits: [SearchHit]
    /// Xapian's estimate of all matches (not only this page).
    public var estimatedTotal: Int
    /// A corrected query text ("Did you mean …?") when words looked misspelled, else nil.
    public var suggestion: String?

    public init(hits: [SearchHit], estimatedTotal: Int, suggestion: String?) {
        self.hits = hits
        self.estimatedTotal = estimatedTotal
        self.suggestion = suggestion
    }
}
