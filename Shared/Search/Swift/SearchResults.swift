/// A page of hits for a ``SearchQuery``.
public struct SearchResults: Sendable {
    public var hits: [SearchHit]
    /// Xapian's estimate of all matches (not only this page).
    public var estimatedTotal: Int
    /// A corrected query text ("Did you mean …?") when words looked misspelled, else nil.
    public var suggestion: String?
    /// The committed version of the index that gave the hits (changed by every commit and by a rebuild), or nil when
    /// they may include changes not yet committed (a search of the writer itself).
    public var version: String?

    public init(hits: [SearchHit], estimatedTotal: Int, suggestion: String?, version: String? = nil) {
        self.hits = hits
        self.estimatedTotal = estimatedTotal
        self.suggestion = suggestion
        self.version = version
    }
}
