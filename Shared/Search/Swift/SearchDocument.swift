/// One item of a search projection (a ticket, an article), keyed by `id`.
public struct SearchDocument: Sendable {
    /// Unique id, stored as the boolean term "Q<id>"; ``SearchIndex/replace(_:)`` replaces by it.
    public var id: String
    public var fields: [SearchField]
    /// Boolean terms, already prefixed by the caller (e.g. "XGabc", "XSactive").
    public var filters: [String]
    /// Value slots for sorting and ranges, holding caller-encoded sortable strings.
    /// Slots from ``SearchIndex/reservedValueSlots`` upwards belong to the index itself.
    public var values: [UInt32: String]
    /// Payload returned with each hit (e.g. JSON); may be "".
    public var data: String
    /// "en", "de", … selects Xapian's stemmer for the fields; nil or unknown means no stemming.
    public var language: String?

    public init(
        id: String, fields: [SearchField], filters: [String] = [], values: [UInt32: String] = [:],
        data: String = "", language: String? = nil
    ) {
        self.id = id
        self.fields = fields
        self.filters = filters
        self.values = values
        self.data = data
        self.language = language
    }
}
