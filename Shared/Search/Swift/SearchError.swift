/// A failure reported by Xapian (or the shim around it), with Xapian's description.
public enum SearchError: Error, CustomStringConvertible {
    case xapian(String)

    public var description: String {
        switch self {
        case .xapian(let message): "search index: \(message)"
        }
    }
}
