import Auth
import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// `POST /api/v1/identity/registrations` body.
public struct RegistrationRequest: Decodable, Sendable {
    public var email: String
    public var password: String
    public var displayName: String?
    /// The solved built-in CAPTCHA, while it is on (`GET /api/v1/identity/captcha`).
    public var captcha: ProofOfWorkCaptcha.Answer?
    /// The token Google reCAPTCHA's widget gave, while Options → Captcha is set to it.
    public var captchaResponse: String?
}

/// A registered portal user as answered and as carried by `user.registered`.
public struct RegisteredUser: Codable, Sendable, Equatable {
    public var id: String
    public var email: String
    public var displayName: String
    public var roles: [String]
}

/// Portal registration: a new user with the Registered User role (verification of the email comes with issue 4).
public struct RegistrationService: Sendable {
    let database: Database
    let security: SecurityRepository
    let hasher: PasswordHasher

    public init(database: Database, security: SecurityRepository, hasher: PasswordHasher) {
        self.database = database
        self.security = security
        self.hasher = hasher
    }

    public static func validateEmail(_ email: String) throws -> String {
        guard let trimmed = EmailAddress.validated(email) else {
            throw Problem.unprocessable("The email address is not valid.", errors: [.init(field: "email", message: "is not an email address")])
        }
        return trimmed
    }

    /// `captcha`: the solved challenge, when Options → Captcha asks visitors to pass it; spent with the account.
    public func register(
        _ request: RegistrationRequest, brandID: String?, linkBase: String, captcha: ProofOfWorkCaptcha.Accepted? = nil
    ) async throws -> RegisteredUser {
        let email = try Self.validateEmail(request.email)
        try PasswordPolicy.validate(request.password, username: email, settings: try await security.settings())
        let hash = try await hasher.hash(request.password)
        let id = UUIDv7.generate()
        let user = RegisteredUser(
            id: id.uuidString.lowercased(), email: email,
            displayName: request.displayName?.trimmingCharacters(in: .whitespaces).nonEmpty ?? String(email.prefix { $0 != "@" }),
            roles: ["Everyone", "Registered User"])
        return try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(email)
            binds.append(hash)
            binds.append(user.displayName)
            try await translatingUniqueViolation(into: Problem.conflict("An account with this email exists.")) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("users")) (id, email, password_hash, display_name) VALUES ($1, $2, $3, $4)", binds: binds),
                    logger: database.logger
                ).consume()
            }
            if let captcha { try await spend(captcha, on: connection) }
            var roleBinds = PostgresBindings()
            roleBinds.append(id)
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("user_roles")) (user_id, role_id) SELECT $1, id FROM \(database.table("roles")) WHERE name = 'Registered User'", binds: roleBinds),
                logger: database.logger
            ).consume()
            try await EmailVerificationService(database: database).send(
                to: id, email: email, displayName: user.displayName, linkBase: linkBase, on: connection)
            try await IdentityEvents(database: database).publish("user.registered", subject: user.id, brandID: brandID, data: user, on: connection)
            return user
        }
    }
}

extension RegistrationService {
    /// Records a challenge as spent in the registration's transaction (a 422 if it was spent before), forgetting
    /// expired ones on the way: registrations are few, so they keep the table small themselves.
    func spend(_ captcha: ProofOfWorkCaptcha.Accepted, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(captcha.id)
        binds.append(captcha.expiresAt)
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("captcha_spent")) WHERE expires_at < now()"), logger: database.logger
        ).consume()
        try await translatingUniqueViolation(into: ProofOfWorkCaptcha.alreadySpent) {
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("captcha_spent")) (id, expires_at) VALUES ($1, $2)", binds: binds),
                logger: database.logger
            ).consume()
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
