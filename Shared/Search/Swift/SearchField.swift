/// A piece of weighted free text in a ``SearchDocument``.
///
/// Every field is indexed twice: under `prefix` (so a query can target it) and unprefixed with
/// the same `weight` (its wdf increment), so a plain query ranks a match in a heavier field,
/// such as a subject, above a match in a lighter one, such as the body.
public struct SearchField: Sendable {
    /// "" for text that is only searched by default, or a Xapian term prefix such as "S".
    public var prefix: String
    public var text: String
    public var weight: UInt32

    public init(prefix: String, text: String, weight: UInt32) {
        self.prefix = prefix
        self.text = text
        self.weight = weight
    }
}
