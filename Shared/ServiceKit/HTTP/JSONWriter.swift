import Foundation
import Hummingbird

/// Writes JSON straight into bytes, where Foundation's `JSONEncoder` cost dominated a request (a list page of 50
/// tickets, search answers, the events of a new ticket). In the ``Style/api`` style the output parses to what the
/// API's encoder writes (dates ISO 8601 to the second in UTC, absent optionals left out, `/` escaped); in the
/// ``Style/event`` style it is what `CloudEventCoding` writes, given keys in sorted order. Callers write keys and
/// values in order; commas are the writer's business.
public struct JSONWriter: Sendable {
    /// Whose output the writer matches.
    public enum Style: Sendable {
        /// The API's encoder: dates to the whole second, `/` escaped.
        case api
        /// `CloudEventCoding`: dates to the millisecond, `/` as it is.
        case event
    }

    public private(set) var bytes: [UInt8] = []
    /// Per open object or array: whether it has a member yet.
    private var hasMember: [Bool] = []
    private let style: Style

    public init(capacity: Int = 1024, style: Style = .api) {
        bytes.reserveCapacity(capacity)
        self.style = style
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }

    public mutating func endObject() { close(UInt8(ascii: "}")) }

    public mutating func beginArray() { open(UInt8(ascii: "[")) }

    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// The key of the next member of the open object.
    public mutating func key(_ name: String) {
        separate()
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
        if !hasMember.isEmpty { hasMember[hasMember.count - 1] = false }
    }

    public mutating func string(_ value: String) {
        separate()
        writeString(value)
    }

    public mutating func int(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// A value that is JSON already (tickets the database wrote), as it is: its strings keep the escapes they have,
    /// whatever the style (PostgreSQL leaves `/` unescaped).
    public mutating func raw(_ value: ByteBuffer) {
        separate()
        value.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
    }

    /// `2026-12-01T14:02:15Z`, as the `.iso8601` date strategy writes it, or `2026-12-01T14:02:15.230Z`.
    public mutating func date(_ value: Date) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        UTCTimeText.append(value, milliseconds: style == .event, to: &bytes)
        bytes.append(contentsOf: "Z\"".utf8)
    }

    /// Key and string value, left out when the value is nil (as synthesized `Encodable` does).
    public mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    public mutating func member(_ name: String, _ value: Int) {
        key(name)
        int(value)
    }

    /// Key and number, left out when the value is nil.
    public mutating func member(_ name: String, _ value: Int?) {
        guard let value else { return }
        member(name, value)
    }

    public mutating func member(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// Key and an object of the dictionary's members (``object(_:)``).
    public mutating func member(_ name: String, _ value: [String: String]) {
        key(name)
        object(value)
    }

    /// An object of the dictionary's members, in key order (as `JSONEncoder` with sorted keys writes it).
    public mutating func object(_ value: [String: String]) {
        beginObject()
        for (key, value) in value.sorted(by: { $0.key < $1.key }) { member(key, value) }
        endObject()
    }

    public mutating func member(_ name: String, _ value: Date?) {
        guard let value else { return }
        key(name)
        date(value)
    }

    /// The bytes as a 200 `application/json` response.
    public var response: Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(bytes.count)],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        hasMember.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        hasMember.removeLast()
        bytes.append(bracket)
    }

    private mutating func separate() {
        guard let last = hasMember.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) }
        hasMember[hasMember.count - 1] = true
    }

    private mutating func writeString(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var clean = 0
            let escapesSlash = style == .api
            var index = Self.firstEscape(in: utf8, from: 0, slash: escapesSlash)
            while index < utf8.count {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<index]))
                escape(utf8[index])
                clean = index + 1
                index = Self.firstEscape(in: utf8, from: clean, slash: escapesSlash)
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// The index of the first byte from `start` on that must be escaped, or the end: eight bytes at a time while none
    /// of them may need it (a page of tickets is mostly keys and plain text, which looking at each byte spent 5 % of
    /// the tickets process on), then byte by byte.
    static func firstEscape(in utf8: UnsafeBufferPointer<UInt8>, from start: Int, slash: Bool) -> Int {
        var index = start
        if let base = utf8.baseAddress {
            while index + 8 <= utf8.count, !mayNeedEscape(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self), slash: slash) {
                index += 8
            }
        }
        while index < utf8.count, !needsEscape(utf8[index], slash: slash) { index += 1 }
        return index
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether any of the eight bytes is below 0x20, a quote, a backslash or (with `slash`) a slash. Exact about
    /// "any": the classic has-less-than and has-zero-byte tests, the latter on the word XORed with each byte sought.
    private static func mayNeedEscape(_ word: UInt64, slash: Bool) -> Bool {
        func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highBits != 0 }
        let control = (word &- ones &* 0x20) & ~word & highBits != 0
        return control || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C)) || (slash && hasZeroByte(word ^ (ones &* 0x2F)))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            bytes.append(contentsOf: "u00".utf8)
            bytes.append(Self.hex(byte >> 4))
            bytes.append(Self.hex(byte & 0x0F))
        }
    }

    private static func needsEscape(_ byte: UInt8, slash: Bool) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || (slash && byte == UInt8(ascii: "/"))
    }

    private static func hex(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
