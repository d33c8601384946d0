import Foundation

/// A field of a `PATCH`: absent (left as it is), null (cleared) or a value.
public enum FieldChange<Value: Sendable>: Sendable {
    case unchanged
    case cleared
    case set(Value)

    /// Whether the request named the field at all.
    var isSet: Bool {
        if case .unchanged = self { return false }
        return true
    }

    /// The same change of another value: an id's text for the id, say.
    func map<Other: Sendable>(_ transform: (Value) throws -> Other) rethrows -> FieldChange<Other> {
        switch self {
        case .unchanged: .unchanged
        case .cleared: .cleared
        case .set(let value): .set(try transform(value))
        }
    }

    func applied(to current: Value?) -> Value? {
        switch self {
        case .unchanged: current
        case .cleared: nil
        case .set(let value): value
        }
    }
}

extension KeyedDecodingContainer {
    func change<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> FieldChange<Value> {
        guard contains(key) else { return .unchanged }
        return try decodeNil(forKey: key) ? .cleared : .set(try decode(Value.self, forKey: key))
    }
}
