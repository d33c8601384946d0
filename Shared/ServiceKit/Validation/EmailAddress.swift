import Foundation

/// The one shape check of an email address every service applies: one @, a local part, a dotted domain, no
/// whitespace, at most 254 bytes (RFC 5321's limit; counting characters would let combining marks make an address of
/// kilobytes, larger than an index entry can hold).
public enum EmailAddress {
    /// The trimmed address, or nil when it is not one.
    public static func validated(_ raw: String) -> String? {
        let email = raw.trimmedSpaces
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), email.utf8.count <= 254, !email.contains(where: \.isWhitespace) else {
            return nil
        }
        return email
    }
}
