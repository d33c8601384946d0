/// Settings → Security of the installation (seed 001, 7540–7565): brute force protection and the password
/// requirements of new passwords.
public struct SecuritySettings: Codable, Sendable, Equatable {
    public var bruteForceProtection: Bool = true
    /// "Users are temporarily locked out of their account after 10 failed login attempts …
    public var maxFailedSignIns: Int = 10
    /// … and will remain locked out for 5 minutes."
    public var lockoutMinutes: Int = 5
    /// Failures from one client address, over all accounts, before that address is refused (guessing many accounts).
    public var maxFailedSignInsPerAddress: Int = 50
    public var passwordMinimumLength: Int = 8
    public var requireNumbers: Bool = false
    public var requireUppercase: Bool = false
    public var requireLowercase: Bool = false
    public var requireSymbol: Bool = false
    public var requireNotUsername: Bool = true
    public var version: Int = 1

    public init() {}
}
