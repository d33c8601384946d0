extension String {
    /// The string without leading and trailing whitespace and newlines: the Unicode White_Space characters and the
    /// zero-width space, the set Foundation's `.whitespacesAndNewlines` trims here, found without bridging to `NSString`
    /// (a subject, a message's text or a search's words are checked on every request; Foundation's trim was 2 % of a
    /// search's CPU).
    public var trimmedText: String { trimmed(where: Self.isBlank) }

    /// The string without leading and trailing spaces and tabs, as Foundation's `.whitespaces` trims here: Unicode's
    /// space separators, the tab and the zero-width space (an email address is checked on every new ticket).
    public var trimmedSpaces: String { trimmed(where: Self.isSpace) }

    /// The string, or nil when it is empty or only whitespace.
    public var nonEmptyText: String? {
        unicodeScalars.contains { !Self.isBlank($0) } ? self : nil
    }

    private func trimmed(where isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }), let last = scalars.lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }

    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar == "\u{200B}"
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
    }
}
