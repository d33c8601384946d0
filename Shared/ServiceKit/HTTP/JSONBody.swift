import Foundation
import Hummingbird

extension Request {
    /// Decodes a JSON body: syntax errors answer 400, a missing or mistyped field 422, both as problem+json.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: some RequestContext) async throws -> T {
        try JSONBody.decode(type, from: try await jsonBytes(context: context))
    }

    /// Decodes a JSON body whose every field may be left out, and so the body too: none (or only white space) is `empty`.
    public func decodeJSON<T: Decodable>(_ type: T.Type, context: some RequestContext, whenEmpty empty: T) async throws -> T {
        let bytes = try await jsonBytes(context: context)
        guard bytes.contains(where: { !Self.jsonWhiteSpace.contains($0) }) else { return empty }
        return try JSONBody.decode(type, from: bytes)
    }

    private static let jsonWhiteSpace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

    /// The body's bytes, for a handler that reads more from them than one type decodes; too large is a 413.
    public func jsonBytes(context: some RequestContext) async throws -> Data {
        do {
            return Data(try await body.collect(upTo: context.maxUploadSize).readableBytesView)
        } catch {
            throw Problem.contentTooLarge
        }
    }
}

public enum JSONBody {
    /// Dates arrive as RFC 3339 text, as the API writes them, with or without fractional seconds, from 1900 to 9999,
    /// each part within its range (``DateInput/namesRealTime(_:)``).
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if DateInput.namesRealTime(text), let date = (try? Date.ISO8601FormatStyle().parse(text))
                ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) {
                guard DateInput.accepted.contains(date) else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a date from 1900 to 9999")
                }
                return date
            }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a date such as 2026-12-01T09:00:00Z")
        }
        return decoder
    }

    /// Decodes `data`; only a body that fails is parsed again to tell bad JSON (400) from a bad field (422), so a good
    /// one is parsed once. An object naming a key twice is a 400 (``DuplicateJSONKeys``), and so is text holding NUL
    /// (`\u0000`), which PostgreSQL's text cannot keep.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try DuplicateJSONKeys.refuse(in: data)
        let decoded: T
        do {
            decoded = try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil else {
                throw Problem.badRequest("The request body is not valid JSON.")
            }
            throw Problem.unprocessable(describe(error), errors: [fieldError(error)])
        }
        if holdsNUL(data) { throw Problem.badRequest("The request body holds a NUL character (\\u0000), which no text can hold.") }
        return decoded
    }

    /// The names the body's top-level object gives, null-valued ones included: what a PUT sent, as against what it
    /// left out (which a decoded optional cannot tell apart from a null).
    public static func sentFields(in data: Data) -> Set<String> {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return Set(object.keys)
    }

    /// Whether the JSON text escapes a NUL character (`\u0000`). In JSON that parsed, every backslash begins an escape
    /// of two or six characters, so stepping over escapes whole reads `\\u0000` (an escaped backslash, then the five
    /// characters `u0000` as text) as no NUL. One pass over the bytes, as every request body goes through it.
    static func holdsNUL(_ data: Data) -> Bool {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            let backslash = UInt8(ascii: "\\"), zero = UInt8(ascii: "0")
            var index = 0
            while index < bytes.count {
                guard bytes[index] == backslash else {
                    index += 1
                    continue
                }
                if index + 5 < bytes.count, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == zero, bytes[index + 3] == zero,
                    bytes[index + 4] == zero, bytes[index + 5] == zero {
                    return true
                }
                index += 2
            }
            return false
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    static func fieldError(_ error: DecodingError) -> Problem.FieldError {
        switch error {
        case .keyNotFound(let key, let context):
            Problem.FieldError(field: path(context.codingPath + [key]), message: "is required")
        case .valueNotFound(_, let context):
            Problem.FieldError(field: path(context.codingPath), message: "must not be null")
        case .typeMismatch(let expected, let context):
            Problem.FieldError(field: path(context.codingPath), message: "must be \(expected)")
        case .dataCorrupted(let context):
            Problem.FieldError(field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            Problem.FieldError(field: "", message: "is invalid")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        let field = fieldError(error)
        return field.field.isEmpty ? "The request body is invalid." : "Field '\(field.field)' \(field.message)."
    }
}
