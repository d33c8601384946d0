/// A failure reported by Xapian (or the shim around it), with Xapian's description.
public enum SearchError: Error, CustomStringConvertible {
    case xapian(String)

    public var description: String {
        switch self {
        case .xapian(let message): "search index: \(message)"
        }
    }

    /// Xapian refused this document (an argument it cannot take), not the index: writing it again fails the same way.
    public var refusesDocument: Bool {
        switch self {
        case .xapian(let message): message.hasPrefix("InvalidArgumentError")
        }
    }
}
