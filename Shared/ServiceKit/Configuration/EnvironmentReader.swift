import Foundation

/// Reads settings from environment variables; a malformed value stops start-up with a message naming the variable.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    public func string(_ key: String, default fallback: String) -> String {
        guard let value = values[key], !value.isEmpty else { return fallback }
        return value
    }

    public func optionalString(_ key: String) -> String? {
        guard let value = values[key], !value.isEmpty else { return nil }
        return value
    }

    public func int(_ key: String, default fallback: Int) throws -> Int {
        guard let raw = values[key], !raw.isEmpty else { return fallback }
        guard let value = Int(raw.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigurationError(variable: key, value: raw, expected: "an integer")
        }
        return value
    }

    /// `true`/`1`/`yes` or `false`/`0`/`no`.
    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let raw = values[key], !raw.isEmpty else { return fallback }
        switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError(variable: key, value: raw, expected: "true or false")
        }
    }

    public func list(_ key: String, default fallback: [String]) -> [String] {
        guard let raw = values[key], !raw.isEmpty else { return fallback }
        return raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let variable: String
    public let value: String
    public let expected: String

    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(variable)=\(value) is not \(expected)" }
}
