/// One ranked match of a ``SearchQuery``.
public struct SearchHit: Sendable, Equatable {
    public var id: String
    /// Relevance relative to the best possible match, 0…100.
    public var percent: Int
    public var weight: Double
    /// The document's ``SearchDocument/data``.
    public var data: String
    /// About 200 bytes of the document's text, HTML-escaped, with matches in `<b>…</b>`;
    /// "" when the document has no text for the requested field.
    public var snippet: String

    public init(id: String, percent: Int, weight: Double, data: String, snippet: String) {
        self.id = id
        self.percent = percent
        self.weight = weight
        self.data = data
        self.snippet = snippet
    }
}
