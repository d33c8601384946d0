import Foundation

/// A JSON object that names a key twice means what its reader decides: Foundation's decoder keeps the first value and
/// JSONSerialization the last, so `{"subject":"A","subject":"B"}` would be one ticket to one route and another to the
/// next. Request bodies that do are refused (400) before either reads them.
public enum DuplicateJSONKeys {
    /// The first key some object of `data` (JSON that parsed) names twice, nil when none does. One pass over the
    /// bytes: objects' keys compared as written, and as decoded where they hold an escape (`"a"` and `"\u0061"` are
    /// one key).
    public static func first(in data: Data) -> String? {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> String? in
            var scopes: [Scope] = []
            var index = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "{"): scopes.append(Scope(isObject: true))
                case UInt8(ascii: "["): scopes.append(Scope(isObject: false))
                case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = scopes.popLast()
                case UInt8(ascii: ","): if scopes.last?.isObject == true { scopes[scopes.count - 1].expectsKey = true }
                case UInt8(ascii: "\""):
                    let start = index + 1
                    var escaped = false
                    index = start
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                        if bytes[index] == UInt8(ascii: "\\") {
                            escaped = true
                            index += 1
                        }
                        index += 1
                    }
                    guard let last = scopes.indices.last, scopes[last].isObject, scopes[last].expectsKey else { break }
                    scopes[last].expectsKey = false
                    let raw = Array(bytes[start..<min(index, bytes.count)])
                    let key = escaped ? decodedKey(raw) : String(decoding: raw, as: UTF8.self)
                    if !scopes[last].keys.insert(key).inserted { return key }
                default: break
                }
                index += 1
            }
            return nil
        }
    }

    private struct Scope {
        let isObject: Bool
        var expectsKey: Bool
        var keys: Set<String> = []

        init(isObject: Bool) {
            self.isObject = isObject
            self.expectsKey = isObject
        }
    }

    private static func decodedKey(_ raw: [UInt8]) -> String {
        let quoted = Data([UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")])
        return (try? JSONDecoder().decode(String.self, from: quoted)) ?? String(decoding: raw, as: UTF8.self)
    }

    /// 400 when some object of `data` names a key twice.
    public static func refuse(in data: Data) throws {
        if let key = first(in: data) { throw Problem.badRequest("The request body names \"\(key)\" twice in one object.") }
    }
}
