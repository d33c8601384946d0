import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import Mail
import PostgresNIO
import ServiceKit

/// `POST /api/v1/identity/email-verifications/confirm` body.
public struct EmailVerificationConfirmation: Decodable, Sendable {
    public var token: String
}

/// The data of `user.email_verified`.
public struct EmailVerified: Codable, Sendable, Equatable {
    public var userID: String
    public var email: String
}

/// Email verification: a link mailed at registration (or on request); following it moves the user to the
/// Registered User with Verified Email role.
public struct EmailVerificationService: Sendable {
    let database: Database
    let tokens: OneTimeTokens
    let mail: MailOutboxStore
    public let lifetime: TimeInterval

    public init(database: Database, lifetime: TimeInterval = 7 * 24 * 3600) {
        self.database = database
        self.tokens = OneTimeTokens(database: database, table: "email_verifications")
        self.mail = MailOutboxStore(database: database)
        self.lifetime = lifetime
    }

    /// Issues a token and queues the email inside the caller's transaction.
    public func send(to userID: UUID, email: String, displayName: String, linkBase: String, on connection: PostgresConnection) async throws {
        let token = try await tokens.issue(for: userID, lifetime: lifetime, on: connection)
        try await mail.enqueue(
            MailMessage(
                to: email, subject: "Confirm your email address",
                text: """
                    Hello \(displayName),

                    please confirm that this is your address by opening
                    \(linkBase)/verify-email?token=\(token)
                    The link works once, for \(Int(lifetime / 86400)) days.
                    """),
            on: connection)
    }

    public func resend(to user: UserRecord, linkBase: String) async throws {
        try await database.transaction { connection in
            guard try await !isVerified(user.id, on: connection) else { throw Problem.conflict("The email address is already verified.") }
            try await send(to: user.id, email: user.email, displayName: user.displayName, linkBase: linkBase, on: connection)
        }
    }

    public func confirm(_ confirmation: EmailVerificationConfirmation) async throws {
        try await database.transaction { connection in
            guard let userID = try await tokens.redeem(confirmation.token, on: connection),
                let user = try await UserRepository(database: database).find(id: userID, on: connection)
            else {
                throw Problem(
                    status: .badRequest, type: Problem.typeBase + "invalid-verification-token", title: "Invalid verification token",
                    detail: "The link is unknown, already used or expired; ask for a new one.")
            }
            var userOnly = PostgresBindings()
            userOnly.append(userID)
            var binds = userOnly
            binds.append(PredefinedRoles.registeredUserWithVerifiedEmail)
            try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("users")) SET email_verified_at = now() WHERE id = $1", binds: userOnly),
                logger: database.logger
            ).consume()
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("user_roles")) (user_id, role_id) SELECT $1, id FROM \(database.table("roles")) WHERE name = $2 ON CONFLICT DO NOTHING", binds: binds),
                logger: database.logger
            ).consume()
            let data = EmailVerified(userID: userID.uuidString.lowercased(), email: user.email)
            try await IdentityEvents(database: database).publish("user.email_verified", subject: data.userID, data: data, on: connection)
        }
    }

    private func isVerified(_ userID: UUID, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(userID)
        let verified = try await connection.firstValue(
            PostgresQuery(unsafeSQL: "SELECT email_verified_at IS NOT NULL FROM \(database.table("users")) WHERE id = $1", binds: binds),
            as: Bool.self, logger: database.logger)
        return verified ?? false
    }
}
