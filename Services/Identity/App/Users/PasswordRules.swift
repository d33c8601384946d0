import ServiceKit

/// Minimal password policy of this slice; the configurable policy of the Security chapter comes with issue 4.
public enum PasswordRules {
    public static let minimumLength = 8
    public static let maximumLength = 72

    public static func validate(_ password: String) throws {
        guard password.utf8.count >= minimumLength, password.utf8.count <= maximumLength else {
            throw Problem.unprocessable(
                "The password must be \(minimumLength) to \(maximumLength) bytes long.",
                errors: [.init(field: "password", message: "must be \(minimumLength)...\(maximumLength) bytes")])
        }
    }
}
