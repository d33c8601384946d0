import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import IdentityApp
import Logging
import Mail
import PostgresNIO
import ServiceKit
import Testing
import TestSupport

@Suite("Forgotten password", .serialized, .enabled(if: TestEnvironment.hasDatabase && TestEnvironment.smtpPython != nil))
struct PasswordResetTests {
    let api = IdentityAPITests()

    static func token(in message: String) -> String? {
        guard let range = message.range(of: #"token=[A-Za-z0-9_-]+"#, options: .regularExpression) else { return nil }
        return String(message[range].dropFirst("token=".count))
    }

    @Test("The reset email arrives at a real SMTP server; its token works once and only before it expires")
    func resetByEmail() async throws {
        let smtp = try await TestSMTPServer()
        do {
            try await api.withIdentity { client, database in
                let relay = MailRelay(
                    store: MailOutboxStore(database: database),
                    client: SMTPClient(configuration: .init(host: "127.0.0.1", port: smtp.port, from: "Concierge <no-reply@demo.localhost>")),
                    logger: Logger(label: "mail"))
                let (unknown, _, _) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/password-resets", body: #"{"email":"nobody@demo.localhost"}"#)
                #expect(unknown == .accepted, "the answer does not reveal whether an account exists")
                let (asked, _, _) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/password-resets", body: #"{"email":"admin@demo.localhost"}"#)
                #expect(asked == .accepted)
                #expect(try await relay.sendOnce() == 1)
                let messages = smtp.messages()
                #expect(messages.count == 1)
                let message = try #require(messages.first)
                #expect(message.contains("To: admin@demo.localhost"))
                #expect(!message.contains("concierge-admin"), "no password is ever emailed")
                let token = try #require(Self.token(in: message))

                let (weak, _, _) = try await IdentityAPITests.send(
                    client, .post, "/api/v1/identity/password-resets/confirm", body: #"{"token":"\#(token)","password":"short"}"#)
                #expect(weak == .unprocessableContent, "a weak password leaves the token usable")
                let (reset, _, _) = try await IdentityAPITests.send(
                    client, .post, "/api/v1/identity/password-resets/confirm", body: #"{"token":"\#(token)","password":"brand-new-secret"}"#)
                #expect(reset == .noContent)
                _ = try await IdentityAPITests.signIn(client, password: "brand-new-secret")
                let (again, _, problem) = try await IdentityAPITests.send(
                    client, .post, "/api/v1/identity/password-resets/confirm", body: #"{"token":"\#(token)","password":"another-secret-1"}"#)
                #expect(again == .badRequest)
                #expect(problem["type"] as? String == "https://concierge.dev/problems/invalid-reset-token")

                _ = try await IdentityAPITests.send(client, .post, "/api/v1/identity/password-resets", body: #"{"email":"admin@demo.localhost"}"#)
                #expect(try await relay.sendOnce() == 1)
                let latest = try #require(smtp.messages().last)
                let second = try #require(Self.token(in: latest))
                try await database.client.query("UPDATE identity.password_resets SET expires_at = now() - interval '1 minute' WHERE used_at IS NULL").consume()
                let (expired, _, _) = try await IdentityAPITests.send(
                    client, .post, "/api/v1/identity/password-resets/confirm", body: #"{"token":"\#(second)","password":"another-secret-1"}"#)
                #expect(expired == .badRequest)
            }
        } catch {
            await smtp.stop()
            throw error
        }
        await smtp.stop()
    }

    @Test("Mail that cannot be delivered stays queued and goes out once the SMTP server answers")
    func mailSurvivesAnOutage() async throws {
        try await api.withIdentity { client, database in
            let port = FreePort.next()
            let relay = MailRelay(
                store: MailOutboxStore(database: database),
                client: SMTPClient(configuration: .init(host: "127.0.0.1", port: port, from: "no-reply@demo.localhost")),
                logger: Logger(label: "mail"))
            _ = try await IdentityAPITests.send(client, .post, "/api/v1/identity/password-resets", body: #"{"email":"admin@demo.localhost"}"#)
            #expect(try await relay.sendOnce() == 0)
            try await database.client.query("UPDATE identity.mail_outbox SET next_attempt_at = now()").consume()
            let smtp = try await TestSMTPServer()
            let delivering = MailRelay(
                store: MailOutboxStore(database: database),
                client: SMTPClient(configuration: .init(host: "127.0.0.1", port: smtp.port, from: "no-reply@demo.localhost")),
                logger: Logger(label: "mail"))
            let sent = try await delivering.sendOnce()
            await smtp.stop()
            #expect(sent == 1)
            #expect(smtp.messages().count == 1)
        }
    }

    @Test("Undelivered mail is tried again for two days, then kept as given up with its error; a refused recipient is given up at once")
    func mailGivesUpLate() async throws {
        let queued = Date(timeIntervalSince1970: 1_000_000)
        let outage = SMTPError(code: 0, reply: "connection refused", step: "greeting")
        #expect(MailRetryRule.nextAttempt(afterAttempts: 1, queuedAt: queued, now: queued, error: outage) == queued.addingTimeInterval(2))
        let later = queued.addingTimeInterval(3_600)
        #expect(MailRetryRule.nextAttempt(afterAttempts: 25, queuedAt: queued, now: later, error: outage) == later.addingTimeInterval(900))
        #expect(MailRetryRule.nextAttempt(afterAttempts: 200, queuedAt: queued, now: queued.addingTimeInterval(2 * 86_400), error: outage) == nil)
        let refused = SMTPError(code: 550, reply: "no such user", step: "RCPT TO")
        #expect(MailRetryRule.nextAttempt(afterAttempts: 1, queuedAt: queued, now: queued, error: refused) == nil)
        let misconfigured = SMTPError(code: 530, reply: "authentication required", step: "MAIL FROM")
        #expect(MailRetryRule.nextAttempt(afterAttempts: 1, queuedAt: queued, now: queued, error: misconfigured) != nil, "the relay's configuration, fixed for every message")

        try await api.withIdentity { client, database in
            let relay = MailRelay(
                store: MailOutboxStore(database: database),
                client: SMTPClient(configuration: .init(host: "127.0.0.1", port: FreePort.next(), from: "no-reply@demo.localhost")),
                logger: Logger(label: "mail"))
            _ = try await IdentityAPITests.send(client, .post, "/api/v1/identity/password-resets", body: #"{"email":"admin@demo.localhost"}"#)
            #expect(try await relay.sendOnce() == 0)
            let waiting = try await database.client.query(
                "SELECT count(*)::int FROM identity.mail_outbox WHERE attempts = 1 AND given_up_at IS NULL AND next_attempt_at > now() AND last_error IS NOT NULL")
            for try await count in waiting.decode(Int.self) { #expect(count == 1) }
            try await database.client.query("UPDATE identity.mail_outbox SET next_attempt_at = now(), created_at = now() - interval '3 days'").consume()
            #expect(try await relay.sendOnce() == 0)
            let given = try await database.client.query("SELECT count(*)::int FROM identity.mail_outbox WHERE attempts = 2 AND given_up_at IS NOT NULL")
            for try await count in given.decode(Int.self) { #expect(count == 1) }
            try await database.client.query("UPDATE identity.mail_outbox SET next_attempt_at = now()").consume()
            #expect(try await relay.sendOnce() == 0)
            let untouched = try await database.client.query("SELECT count(*)::int FROM identity.mail_outbox WHERE attempts = 2")
            for try await count in untouched.decode(Int.self) { #expect(count == 1, "a message given up on is not tried again") }
        }
    }
}

@Suite("Email verification", .serialized, .enabled(if: TestEnvironment.hasDatabase && TestEnvironment.smtpPython != nil))
struct EmailVerificationTests {
    let api = IdentityAPITests()

    @Test("Registration mails a verification link; following it once makes the user a Registered User with Verified Email, until the address changes")
    func verifyByEmail() async throws {
        let smtp = try await TestSMTPServer()
        do {
            try await api.withIdentity { client, database in
                let relay = MailRelay(
                    store: MailOutboxStore(database: database),
                    client: SMTPClient(configuration: .init(host: "127.0.0.1", port: smtp.port, from: "no-reply@demo.localhost")),
                    logger: Logger(label: "mail"))
                let (registered, _, _) = try await IdentityAPITests.send(
                    client, .post, "/api/v1/identity/registrations", body: #"{"email":"sam@customer.example","password":"sams-password"\#(IdentityAPITests.solvedCaptcha())}"#)
                #expect(registered == .created)
                #expect(try await relay.sendOnce() == 1)
                let message = try #require(smtp.messages().first)
                #expect(message.contains("To: sam@customer.example"))
                let token = try #require(PasswordResetTests.token(in: message))
                let before = try await TokenService(secret: TokenService.developmentSecret).verify(
                    try #require(try await IdentityAPITests.signIn(client, email: "sam@customer.example", password: "sams-password")["accessToken"] as? String))
                #expect(!before.roles.contains(PredefinedRoles.registeredUserWithVerifiedEmail))
                let (confirmed, _, _) = try await IdentityAPITests.send(
                    client, .post, "/api/v1/identity/email-verifications/confirm", body: #"{"token":"\#(token)"}"#)
                #expect(confirmed == .noContent)
                let access = try #require(try await IdentityAPITests.signIn(client, email: "sam@customer.example", password: "sams-password")["accessToken"] as? String)
                let after = try await TokenService(secret: TokenService.developmentSecret).verify(access)
                #expect(after.roles.contains(PredefinedRoles.registeredUserWithVerifiedEmail))
                #expect(Authorization.allows(after, .community, "Delete Post"), "the verified role's community rights apply")
                let (again, _, _) = try await IdentityAPITests.send(
                    client, .post, "/api/v1/identity/email-verifications/confirm", body: #"{"token":"\#(token)"}"#)
                #expect(again == .badRequest)
                let (resend, _, _) = try await IdentityAPITests.send(client, .post, "/api/v1/identity/email-verifications", token: access, body: "")
                #expect(resend == .conflict)

                let (moved, _, _) = try await IdentityAPITests.send(
                    client, .patch, "/api/v1/identity/users/\(after.userID)", token: access, body: #"{"email":"sam@elsewhere.example"}"#)
                #expect(moved == .ok)
                let changed = try await TokenService(secret: TokenService.developmentSecret).verify(
                    try #require(try await IdentityAPITests.signIn(client, email: "sam@elsewhere.example", password: "sams-password")["accessToken"] as? String))
                #expect(!changed.roles.contains(PredefinedRoles.registeredUserWithVerifiedEmail), "a new address is unconfirmed, and its role goes")
            }
        } catch {
            await smtp.stop()
            throw error
        }
        await smtp.stop()
    }
}
