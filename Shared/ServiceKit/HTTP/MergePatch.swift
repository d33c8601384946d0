import Foundation

/// JSON Merge Patch (RFC 7396) over Codable settings documents: a patch names only what changes, `null` removes a key
/// (an optional value becomes empty, as a closed day of business hours; a value the document requires is a 422 naming
/// it, not a reset), and the result is decoded strictly, so a wrong type is a 422 naming the key.
public enum MergePatch {
    /// `patch` (a JSON object) merged onto `current`.
    public static func apply<T: Codable>(_ patch: Data, to current: T) throws -> T {
        guard let patchObject = try? JSONSerialization.jsonObject(with: patch), patchObject is [String: Any] else {
            throw Problem.badRequest("The body must be a JSON object.")
        }
        if JSONBody.holdsNUL(patch) { throw Problem.badRequest("The request body holds a NUL character (\\u0000), which no text can hold.") }
        try DuplicateJSONKeys.refuse(in: patch)
        let base = try JSONSerialization.jsonObject(with: JSONEncoder().encode(current))
        let merged = merge(patchObject, onto: base)
        do {
            return try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let error as DecodingError {
            throw Problem.unprocessable(describe(error), errors: [.init(field: path(of: error), message: describe(error))])
        }
    }

    /// A stored document read over the type's defaults, so keys added after it was written take their default.
    public static func decode<T: Codable>(_ stored: String, over defaults: T) throws -> T {
        do {
            let document = try JSONSerialization.jsonObject(with: Data(stored.utf8))
            let base = try JSONSerialization.jsonObject(with: JSONEncoder().encode(defaults))
            return try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: fillMissing(document, from: base)))
        } catch {
            throw Problem.internalError(requestID: nil)
        }
    }

    /// `document` with the keys it lacks taken from `defaults`, at every depth; what it holds (null included) stays.
    static func fillMissing(_ document: Any, from defaults: Any) -> Any {
        guard var object = document as? [String: Any], let base = defaults as? [String: Any] else { return document }
        for (key, value) in base {
            object[key] = object[key].map { fillMissing($0, from: value) } ?? value
        }
        return object
    }

    static func merge(_ patch: Any, onto target: Any) -> Any {
        guard let patch = patch as? [String: Any] else { return patch }
        var result = target as? [String: Any] ?? [:]
        for (key, value) in patch {
            if value is NSNull {
                result[key] = nil
            } else {
                result[key] = merge(value, onto: result[key] ?? [String: Any]())
            }
        }
        return result
    }

    static func path(of error: DecodingError) -> String {
        let context: DecodingError.Context? = switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context
        case .keyNotFound(let key, let context): DecodingError.Context(codingPath: context.codingPath + [key], debugDescription: "")
        @unknown default: nil
        }
        return (context?.codingPath ?? []).map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): "\(path(of: error)) must be \(typeName(type))"
        case .valueNotFound(let type, _): "\(path(of: error)) must be \(typeName(type))"
        case .keyNotFound: "\(path(of: error)) is required"
        case .dataCorrupted(let context): "\(path(of: error)) is invalid: \(context.debugDescription)"
        @unknown default: "the body does not match the document"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: "true or false"
        case is Int.Type, is Double.Type: "a number"
        case is String.Type: "a string"
        default: "a \(type)"
        }
    }
}
