import HTTPTypes

/// What a request's `Cache-Control` asks of an answer a service keeps.
public enum CacheControlDirectives {
    /// Whether the request asks for an answer read again rather than kept (`no-cache` or `no-store`, in any case, in any
    /// `Cache-Control` field), as a browser's reload does. One pass over the bytes: the list views ask on every request.
    public static func asksFresh(_ fields: HTTPFields) -> Bool {
        fields.contains { $0.name == .cacheControl && namesFreshDirective($0.value) }
    }

    /// Whether a `Cache-Control` value holds `no-cache` or `no-store` among its comma-separated directives.
    static func namesFreshDirective(_ value: String) -> Bool {
        var start = value.utf8.startIndex
        for index in value.utf8.indices where value.utf8[index] == UInt8(ascii: ",") {
            if isFreshDirective(value.utf8[start..<index]) { return true }
            start = value.utf8.index(after: index)
        }
        return isFreshDirective(value.utf8[start...])
    }

    private static func isFreshDirective(_ directive: Substring.UTF8View) -> Bool {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = directive.firstIndex(where: { !blank($0) }), let last = directive.lastIndex(where: { !blank($0) }) else { return false }
        let word = directive[first...last]
        return equalsIgnoringCase(word, "no-cache") || equalsIgnoringCase(word, "no-store")
    }

    private static func equalsIgnoringCase(_ word: Substring.UTF8View, _ lowercase: StaticString) -> Bool {
        guard word.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            zip(word, expected).allSatisfy { byte, wanted in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 == wanted : byte == wanted
            }
        }
    }
}
