import Foundation

/// The one shape check of an email address every service applies: one @, a local part, a dotted domain, no
/// whitespace, at most 254 bytes (RFC 5321's limit; counting characters would let combining marks make an address of
/// kilobytes, larger than an index entry can hold). Dots only between characters, as RFC 5321's dot-atoms have them
/// (`.ann@`, `ann.@`, `a..nn@` and `example..com` reach nobody); a quoted local part keeps its own.
public enum EmailAddress {
    /// The trimmed address, or nil when it is not one.
    public static func validated(_ raw: String) -> String? {
        let email = raw.trimmedSpaces
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), email.utf8.count <= 254, !email.contains(where: \.isWhitespace),
            isDotAtom(parts[1]), isDotAtom(parts[0]) || isQuoted(parts[0])
        else {
            return nil
        }
        return email
    }

    /// Text whose dots each stand between two other characters.
    private static func isDotAtom(_ text: Substring) -> Bool {
        !text.hasPrefix(".") && !text.hasSuffix(".") && !text.contains("..")
    }

    private static func isQuoted(_ text: Substring) -> Bool {
        text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"")
    }
}
