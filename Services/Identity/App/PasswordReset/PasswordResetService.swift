import Contracts
import Database
import Foundation
import HTTPTypes
import Mail
import PostgresNIO
import ServiceKit

/// `POST /api/v1/identity/password-resets` and `…/password-resets/confirm` bodies.
public struct PasswordResetRequest: Decodable, Sendable {
    public var email: String
}

public struct PasswordResetConfirmation: Decodable, Sendable {
    public var token: String
    public var password: String
}

/// Forgotten passwords: a single-use, time-limited token sent by email (never a password), stored hashed; using
/// it sets the new password, ends every session of the account and releases a lockout.
public struct PasswordResetService: Sendable {
    let database: Database
    let security: SecurityRepository
    let hasher: PasswordHasher
    let mail: MailOutboxStore
    let tokens: OneTimeTokens
    public let lifetime: TimeInterval

    public init(database: Database, security: SecurityRepository, hasher: PasswordHasher, lifetime: TimeInterval = 3600) {
        self.database = database
        self.security = security
        self.hasher = hasher
        self.mail = MailOutboxStore(database: database)
        self.tokens = OneTimeTokens(database: database, table: "password_resets")
        self.lifetime = lifetime
    }

    /// Queues the email when the account exists; the caller answers the same either way, so nobody learns
    /// which addresses have accounts.
    public func request(email: String, linkBase: String) async throws {
        let address = email.trimmingCharacters(in: .whitespaces)
        guard let user = try await UserRepository(database: database).find(email: address) else { return }
        let minutes = Int(lifetime / 60)
        try await database.transaction { connection in
            let token = try await tokens.issue(for: user.id, lifetime: lifetime, on: connection)
            try await mail.enqueue(
                MailMessage(
                    to: user.email, subject: "Reset your password",
                    text: """
                        Hello \(user.displayName),

                        someone asked to reset the password of your account. To choose a new one, open
                        \(linkBase)/reset-password?token=\(token)
                        within \(minutes) minutes. The link works once.

                        If it was not you, ignore this message; your password stays as it is.
                        """),
                on: connection)
        }
    }

    public func confirm(_ confirmation: PasswordResetConfirmation) async throws {
        let settings = try await security.settings()
        let hash = try await hasher.hash(confirmation.password)
        let users = UserRepository(database: database)
        let email: String = try await database.transaction { connection in
            guard let userID = try await tokens.redeem(confirmation.token, on: connection),
                let user = try await users.find(id: userID, on: connection)
            else {
                throw Problem(
                    status: .badRequest, type: Problem.typeBase + "invalid-reset-token", title: "Invalid reset token",
                    detail: "The link is unknown, already used or expired; ask for a new one.")
            }
            try PasswordPolicy.validate(confirmation.password, username: user.email, settings: settings)
            try await UserDirectory(database: database).setPassword(hash, of: userID, keepingSession: nil, on: connection)
            return user.email
        }
        try await security.clear(.account, email.lowercased())
    }
}
