import Foundation

/// The one shape check of an email address every service applies: one @, a local part, a dotted domain, no
/// whitespace, at most 254 characters.
public enum EmailAddress {
    /// The trimmed address, or nil when it is not one.
    public static func validated(_ raw: String) -> String? {
        let email = trimmedOfSpaces(raw)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), email.count <= 254, !email.contains(where: \.isWhitespace) else {
            return nil
        }
        return email
    }

    /// `raw` without the spaces and tabs around it, as `trimmingCharacters(in: .whitespaces)` trims (Unicode's space
    /// separators, the tab, and the zero-width space, which Foundation's set holds too), without Foundation's
    /// bridging, which was 1 % of the tickets process during creation.
    static func trimmedOfSpaces(_ raw: String) -> String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
        }
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        guard first != scalars.startIndex || scalars.index(after: last) != scalars.endIndex else { return raw }
        return String(scalars[first...last])
    }
}
