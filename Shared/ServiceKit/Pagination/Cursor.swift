import Foundation

/// An opaque keyset position: the sort key values of the last item a client saw, base64url-encoded JSON,
/// so the next page is an index range scan instead of an OFFSET.
public struct Cursor: Sendable, Equatable {
    public var keys: [String]

    public init(keys: [String]) {
        self.keys = keys
    }

    public var encoded: String {
        let data = (try? JSONEncoder().encode(keys)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public init(decoding text: String) throws {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let keys = try? JSONDecoder().decode([String].self, from: data) else {
            throw Problem.badRequest("The cursor is not one this API issued.")
        }
        self.keys = keys
    }
}
