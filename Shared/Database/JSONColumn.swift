import Foundation
import ServiceKit

/// A Codable document kept in a `jsonb` column: written as text bound to `$n::jsonb`, read back from `col::text`.
public enum JSONColumn {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A flat document of strings (a history row's details), written without Foundation's encoder.
    public static func encode(_ value: [String: String]) -> String {
        var json = JSONWriter(capacity: 64 * (value.count + 1), style: .event)
        json.object(value)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// Decodes a stored document; a document the current code cannot read is a server fault, not the client's.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw Problem.internalError(requestID: nil)
        }
    }
}
