import Foundation

/// An opaque keyset position: the sort key values of the last item a client saw, base64url-encoded JSON,
/// so the next page is an index range scan instead of an OFFSET.
public struct Cursor: Sendable, Equatable {
    public var keys: [String]

    public init(keys: [String]) {
        self.keys = keys
    }

    /// The keys as a JSON array of strings in base64url without padding; every list page that has a next one
    /// writes one, so this stays off Foundation's encoder and string searches.
    public var encoded: String {
        var json = JSONWriter(capacity: 128)
        json.beginArray()
        for key in keys { json.string(key) }
        json.endArray()
        return String(decoding: Data(json.bytes).base64EncodedString().utf8.compactMap(Self.urlSafe), as: UTF8.self)
    }

    private static func urlSafe(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "+"): UInt8(ascii: "-")
        case UInt8(ascii: "/"): UInt8(ascii: "_")
        case UInt8(ascii: "="): nil
        default: byte
        }
    }

    public init(decoding text: String) throws {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        // A NUL is refused as PostgreSQL refuses it in text: none of this API's cursors holds one.
        guard let data = Data(base64Encoded: base64), let keys = try? JSONDecoder().decode([String].self, from: data),
            !keys.contains(where: { $0.contains("\u{0}") })
        else {
            throw Problem.badRequest("The cursor is not one this API issued.")
        }
        self.keys = keys
    }
}
