import ServiceKit

/// The password requirements: each rule a password breaks is named, so the answer says what to fix.
public enum PasswordPolicy {
    public enum Rule: String, Sendable, CaseIterable {
        case minimumLength = "minimum-length"
        case maximumLength = "maximum-length"
        case numbers
        case uppercase
        case lowercase
        case symbol
        case notUsername = "not-username"
    }

    /// bcrypt reads at most 72 bytes; a longer password would be silently truncated.
    public static let maximumBytes = 72

    public static func violations(_ password: String, username: String, settings: SecuritySettings) -> [Rule] {
        var broken: [Rule] = []
        if password.count < max(1, settings.passwordMinimumLength) { broken.append(.minimumLength) }
        if password.utf8.count > maximumBytes { broken.append(.maximumLength) }
        if settings.requireNumbers && !password.contains(where: \.isNumber) { broken.append(.numbers) }
        if settings.requireUppercase && !password.contains(where: \.isUppercase) { broken.append(.uppercase) }
        if settings.requireLowercase && !password.contains(where: \.isLowercase) { broken.append(.lowercase) }
        if settings.requireSymbol && !password.contains(where: { !$0.isLetter && !$0.isNumber && !$0.isWhitespace }) {
            broken.append(.symbol)
        }
        if settings.requireNotUsername && password.lowercased() == username.lowercased() { broken.append(.notUsername) }
        return broken
    }

    public static func validate(_ password: String, username: String, settings: SecuritySettings) throws {
        let broken = violations(password, username: username, settings: settings)
        guard broken.isEmpty else {
            let messages = broken.map { message($0, settings) }
            throw Problem.unprocessable(
                "The password does not meet the requirements: " + messages.joined(separator: "; ") + ".",
                errors: zip(broken, messages).map { Problem.FieldError(field: "password", message: "\($0.rawValue): \($1)") })
        }
    }

    static func message(_ rule: Rule, _ settings: SecuritySettings) -> String {
        switch rule {
        case .minimumLength: "at least \(settings.passwordMinimumLength) characters"
        case .maximumLength: "at most \(maximumBytes) bytes"
        case .numbers: "a number"
        case .uppercase: "an uppercase letter"
        case .lowercase: "a lowercase letter"
        case .symbol: "a symbol"
        case .notUsername: "not the same as the username"
        }
    }
}
