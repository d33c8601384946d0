import Auth
import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The CAPTCHA setting tickets keeps from identity's settings, and the built-in challenges new tickets spent: each is
/// recorded in the ticket's own transaction, so one solution opens one ticket, and forgotten once it has expired.
extension TicketStore {
    /// Options → Captcha as identity last published it: the mode, and Google reCAPTCHA's secret key (sealed, as announced;
    /// ``CaptchaCheck`` opens it) and check address.
    public func captchaSetting() async throws -> CaptchaCheck.Setting {
        try await directoryCache.captcha.value(for: 1) {
            let rows = try await database.client.query(
                PostgresQuery(unsafeSQL: "SELECT captcha, captcha_secret_key, captcha_verify_url FROM \(database.table("identity_settings")) WHERE id = 1"),
                logger: database.logger)
            for try await (mode, secretKey, verifyURL) in rows.decode((String, String, String).self) {
                return CaptchaCheck.Setting(mode: CaptchaMode(rawValue: mode) ?? .builtin, secretKey: secretKey, verifyURL: verifyURL)
            }
            return CaptchaCheck.Setting(mode: .builtin)
        }
    }

    /// Adds the spending of the batch's challenges to its statement; a challenge spent before fails the batch, whose
    /// tickets are then written one by one (``spend(_:on:)``).
    func spend(_ challenges: [ProofOfWorkCaptcha.Accepted], to statement: inout CompositeStatement) {
        guard statement.wantsPart(rows: challenges.count) else { return }
        statement.add("""
            INSERT INTO \(database.table("captcha_spent")) (id, expires_at)
            SELECT * FROM unnest(\(statement.bind(challenges.map(\.id)))::text[], \(statement.bind(challenges.map(\.expiresAt)))::timestamptz[])
            """)
    }

    /// Spends one challenge in the caller's transaction: a 422 if it was spent before.
    func spend(_ challenge: ProofOfWorkCaptcha.Accepted, on connection: PostgresConnection) async throws {
        var statement = CompositeStatement()
        spend([challenge], to: &statement)
        try await translatingUniqueViolation(into: ProofOfWorkCaptcha.alreadySpent) { try await statement.run(on: connection, logger: database.logger) }
    }

    /// Forgets expired challenges (they can no longer be sent); the number forgotten.
    @discardableResult
    public func forgetExpiredCaptchas(now: Date = Date()) async throws -> Int {
        try await deleteBatch(from: "captcha_spent", where: "expires_at", before: now)
    }
}
