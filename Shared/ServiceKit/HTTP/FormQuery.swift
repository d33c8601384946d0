import Foundation

/// Query-string values decoded the way HTML forms encode them: "+" is a space, "%2B" a plus sign. (Hummingbird's
/// `queryParameters` leaves "+" as it is, so a search box's "reset+password" would reach the parser as one word.)
public enum FormQuery {
    public static func value(_ name: String, in query: String?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts.first, decode(key) == name else { continue }
            return parts.count > 1 ? decode(parts[1]) : ""
        }
        return nil
    }

    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
