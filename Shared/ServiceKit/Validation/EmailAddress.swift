import Foundation

/// The one shape check of an email address every service applies: one @, a local part, a dotted domain, at most 254
/// bytes in all (RFC 5321's limit; counting characters would let combining marks make an address of kilobytes, larger
/// than an index entry can hold). Mail arrives from addresses longer in the local part than RFC 5321's 64 bytes
/// (forwarders' SRS, VERP) and from hosts named with underscores, and a customer's message is never dropped for that. Addresses go into mail headers and recipient lists, so no
/// whitespace, control or invisible formatting character (a bidi override shows another address than the one mailed)
/// and none of the characters that separate or quote addresses there (`,;:<>()[]\"`) appear outside a quoted local
/// part (`"a..b"@`). The domain is labels of letters, digits, underscores and inner hyphens (any script's
/// letters: internationalized names) between dots (`example..com`, `.example.com` and `example.` name no mail host);
/// the local part is otherwise the receiving host's to read, and some carriers still hand out `taro..yamada@` and
/// `taro.@`, so its dots are left alone.
public enum EmailAddress {
    /// The trimmed address, or nil when it is not one.
    public static func validated(_ raw: String) -> String? {
        guard let email = received(raw), let at = email.firstIndex(of: "@"),
            isLocalPart(email[..<at]), isHostName(email[email.index(after: at)...])
        else { return nil }
        return email
    }

    /// The address of mail that arrived, as loosely as it can be kept: one @ between a local part and a dotted domain,
    /// at most 254 bytes, no whitespace or control character. What ``validated(_:)`` refuses beyond that (a domain
    /// literal, a separator a sending system left in) does not drop a customer's message; replies to it go through
    /// ``validated(_:)`` like any address an agent types.
    public static func received(_ raw: String) -> String? {
        let email = raw.trimmedSpaces
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), email.utf8.count <= 254,
            !email.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { return nil }
        return email
    }

    private static let separators = Set(",;:<>()[]\\\"".unicodeScalars)

    /// Visible characters without separators, or a quoted string (`"a..b"`), whose quotes let it hold them (but no
    /// quote or backslash: escapes inside are not taken).
    private static func isLocalPart(_ local: Substring) -> Bool {
        let scalars = local.unicodeScalars
        if local.count >= 3, local.hasPrefix("\""), local.hasSuffix("\"") {
            return scalars.dropFirst().dropLast().allSatisfy { $0 != "\"" && $0 != "\\" && isVisible($0) }
        }
        return scalars.allSatisfy { !separators.contains($0) && isVisible($0) }
    }

    private static func isVisible(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: return false
        default: return true
        }
    }

    /// Dot-separated labels, each of letters, digits or underscores with hyphens only inside, at most 63 bytes.
    private static func isHostName(_ domain: Substring) -> Bool {
        domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-") && label.unicodeScalars.allSatisfy(isLabelScalar)
        }
    }

    private static func isLabelScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return scalar == "-" || scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        let properties = scalar.properties
        return properties.isAlphabetic || [.decimalNumber, .nonspacingMark, .spacingMark].contains(properties.generalCategory)
    }
}
