import Foundation

/// The one shape check of an email address every service applies: one @, a local part, a dotted domain, no
/// whitespace, at most 254 bytes (RFC 5321's limit; counting characters would let combining marks make an address of
/// kilobytes, larger than an index entry can hold). The domain's dots stand between labels (`example..com`,
/// `.example.com` and `example.` name no mail host); the local part is the receiving host's to read, and some
/// carriers still hand out `taro..yamada@` and `taro.@`, so its dots are left alone.
public enum EmailAddress {
    /// The trimmed address, or nil when it is not one.
    public static func validated(_ raw: String) -> String? {
        let email = raw.trimmedSpaces
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), email.utf8.count <= 254, !email.contains(where: \.isWhitespace),
            isDotAtom(parts[1])
        else {
            return nil
        }
        return email
    }

    /// A domain whose dots each stand between two labels.
    private static func isDotAtom(_ text: Substring) -> Bool {
        !text.hasPrefix(".") && !text.hasSuffix(".") && !text.contains("..")
    }
}
