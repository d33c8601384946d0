/// A ranked text search, restricted by boolean filter terms.
///
/// `text` is parsed by Xapian's QueryParser with its default syntax (AND/OR/NOT), phrases,
/// `+word`/`-word`, trailing `*` wildcards, a lone `-word` and spelling correction. Words are
/// OR-ed (AND-ed with ``matchesEveryWord``) and ranked (BM25). Empty text matches every document that passes the
/// filters. Text the parser refuses ("printer AND") is searched as plain words.
public struct SearchQuery: Sendable, Hashable {
    public var text: String
    /// AND of groups, each group an OR of boolean terms: `[["XGa", "XGb"], ["XSactive"]]`.
    /// An empty group matches nothing, so "granted no groups" can never mean "sees everything".
    public var filterGroups: [[String]]
    /// Boolean terms that must not match (e.g. "XDEL").
    public var excluded: [String]
    /// Value ranges every hit must fall in (e.g. a date slot between two sortable dates).
    public var valueRanges: [SearchValueRange]
    public var offset: Int
    public var limit: Int
    /// Stemmer for the query: the language the documents were indexed with, a comma-separated list of languages
    /// (the text is matched as stemmed in each), or ``everyIndexedLanguage``.
    public var language: String?
    /// Every language the index's documents were stemmed in: for an index of documents in several languages.
    public static let everyIndexedLanguage = "*"
    /// The prefix of the field(s) to take each hit's snippet from ("" = unprefixed fields);
    /// nil takes it from all fields of the document, in the order they were given.
    public var snippetField: String?
    /// Whether a hit has every word of the text (words without an operator between them are AND-ed), not any.
    public var matchesEveryWord = false
    /// Whether the text is plain words (a ticket's subject, not what someone typed into a search box): its capitals,
    /// quotes and signs are no syntax. Text whose syntax does not parse is searched as plain words either way.
    public var plainWords = false

    public init(
        text: String, filterGroups: [[String]] = [], excluded: [String] = [], valueRanges: [SearchValueRange] = [], offset: Int = 0,
        limit: Int = 20, language: String? = nil, snippetField: String? = nil
    ) {
        self.text = text
        self.filterGroups = filterGroups
        self.excluded = excluded
        self.valueRanges = valueRanges
        self.offset = offset
        self.limit = limit
        self.language = language
        self.snippetField = snippetField
    }
}

/// A document value between `lower` and `upper` (inclusive, compared as bytes, so values are written sortable);
/// nil leaves that end open.
public struct SearchValueRange: Sendable, Hashable {
    public var slot: UInt32
    public var lower: String?
    public var upper: String?

    public init(slot: UInt32, lower: String? = nil, upper: String? = nil) {
        self.slot = slot
        self.lower = lower
        self.upper = upper
    }
}
