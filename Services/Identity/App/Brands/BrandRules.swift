import Foundation
import ServiceKit

/// A brand's name and hostnames after validation and normalization.
public struct ValidatedBrand: Sendable, Equatable {
    public var name: String
    public var hostnames: [String]
}

/// What makes a brand valid: plain functions, so they are tested without a database.
public enum BrandRules {
    public static let maximumNameLength = 100
    public static let maximumHostnames = 20

    public static func validate(name: String?, hostnames: [String]?) throws -> ValidatedBrand {
        var errors: [Problem.FieldError] = []
        let trimmed = name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if trimmed.isEmpty {
            errors.append(.init(field: "name", message: "is required"))
        } else if trimmed.count > maximumNameLength {
            errors.append(.init(field: "name", message: "must be at most \(maximumNameLength) characters"))
        }
        var normalized: [String] = []
        let given = hostnames ?? []
        if given.isEmpty {
            errors.append(.init(field: "hostnames", message: "needs at least one hostname"))
        } else if given.count > maximumHostnames {
            errors.append(.init(field: "hostnames", message: "may hold at most \(maximumHostnames) hostnames"))
        }
        for (index, hostname) in given.enumerated() {
            guard let host = normalizeHostname(hostname) else {
                errors.append(.init(field: "hostnames[\(index)]", message: "'\(hostname)' is not a valid hostname"))
                continue
            }
            if !normalized.contains(host) { normalized.append(host) }
        }
        try Problem.throwIfInvalid(errors)
        return ValidatedBrand(name: trimmed, hostnames: normalized)
    }

    /// Lower-cases a hostname and drops a trailing dot; nil unless every label is 1–63 letters, digits or
    /// inner hyphens and the whole is at most 253 characters.
    public static func normalizeHostname(_ raw: String) -> String? {
        var host = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        guard !host.isEmpty, host.utf8.count <= 253 else { return nil }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                label.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
            else { return nil }
        }
        return host
    }

    /// The hostname part of a Host header: port removed, normalized; nil when malformed.
    public static func hostname(fromHostHeader header: String) -> String? {
        var host = Substring(header)
        if let colon = host.lastIndex(of: ":"), host[host.index(after: colon)...].allSatisfy(\.isNumber) {
            host = host[..<colon]
        }
        return normalizeHostname(String(host))
    }
}
