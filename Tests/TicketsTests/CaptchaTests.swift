import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing
import TestSupport
import TicketsApp

@Suite("The CAPTCHA on portal submissions", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct CaptchaTests {
    /// A fresh challenge of the kit's token secret, solved, as the portal's browser sends it.
    static func solved(_ kit: TicketTestKit) -> String {
        let challenge = kit.tokens.captcha.issue()
        return #"{"challenge":"\#(challenge.challenge)","solution":"\#(ProofOfWorkCaptcha.solve(challenge))"}"#
    }

    static func submission(_ kit: TicketTestKit, captcha: String? = nil) -> String {
        #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Printer","body":"x","email":"visitor@customer.example""#
            + (captcha.map { #","captcha":\#($0)"# } ?? "") + "}"
    }

    @Test("Only submitters who are neither employees nor verified users pass it, and only while it is on")
    func whoPassesIt() async throws {
        func caller(_ roles: [String]) -> TicketCaller {
            TicketCaller(principal: TicketTestKit.principal(UUID(), roles: roles), groups: [], departments: [])
        }
        let visitor = caller([PredefinedRoles.registeredUser])
        let verified = caller([PredefinedRoles.registeredUser, PredefinedRoles.registeredUserWithVerifiedEmail])
        let agent = caller([PredefinedRoles.agent])
        #expect(CaptchaRequirement.applies(mode: .builtin, to: nil))
        #expect(CaptchaRequirement.applies(mode: .builtin, to: visitor))
        #expect(!CaptchaRequirement.applies(mode: .builtin, to: verified))
        #expect(!CaptchaRequirement.applies(mode: .builtin, to: agent))
        #expect(!CaptchaRequirement.applies(mode: .none, to: nil))
    }

    @Test("An anonymous submission needs a solved challenge of this fleet: missing, forged or unsolved is 422 and writes nothing; one solution opens one ticket")
    func anonymousSubmissions() async throws {
        try await TicketTestKit.run(captcha: .builtin) { client, kit in
            let (missing, headers, problem) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: Self.submission(kit))
            #expect(missing == .unprocessableContent)
            #expect(headers[.contentType] == "application/problem+json")
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "captcha")
            let foreign = ProofOfWorkCaptcha(secret: "another secret of at least thirty-two bytes!!", difficulty: 8).issue()
            let forged = #"{"challenge":"\#(foreign.challenge)","solution":"\#(ProofOfWorkCaptcha.solve(foreign))"}"#
            let issued = kit.tokens.captcha.issue()
            let unsolved = (0...).lazy.map(String.init).first { ProofOfWorkCaptcha.leadingZeroBits(of: issued.challenge, $0) < issued.difficulty } ?? ""
            for answer in [forged, #"{"challenge":"\#(issued.challenge)","solution":"\#(unsolved)"}"#, #"{"challenge":"x","solution":"1"}"#] {
                let (status, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: Self.submission(kit, captcha: answer))
                #expect(status == .unprocessableContent, "\(answer)")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0, "nothing written")

            let answer = Self.solved(kit)
            let (made, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: Self.submission(kit, captcha: answer))
            #expect(made == .created)
            let (again, _, spent) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: Self.submission(kit, captcha: answer))
            #expect(again == .unprocessableContent, "a solution is spent by its ticket")
            #expect((spent["errors"] as? [[String: String]])?.first?["field"] == "captcha")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 1)

            let shared = Self.solved(kit)
            async let first = TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: Self.submission(kit, captcha: shared))
            async let second = TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: Self.submission(kit, captcha: shared))
            let statuses = [try await first.0, try await second.0]
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.contains(.unprocessableContent), "\(statuses)")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 2)

            #expect(try await kit.api.store.forgetExpiredCaptchas(now: Date().addingTimeInterval(ProofOfWorkCaptcha.lifetime + 1)) == 2)
        }
    }

    @Test("A retry with its Idempotency-Key answers its ticket though its solution is spent")
    func retriesReplay() async throws {
        try await TicketTestKit.run(captcha: .builtin) { client, kit in
            let body = Self.submission(kit, captcha: Self.solved(kit))
            let key = try #require(HTTPField.Name("Idempotency-Key"))
            let (first, _, made) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: body, headers: [key: "visitor-1"])
            let (second, _, replayed) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: body, headers: [key: "visitor-1"])
            #expect(first == .created && second == .created)
            #expect(made["id"] as? String != nil && made["id"] as? String == replayed["id"] as? String)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 1)
        }
    }

    @Test("Verified users and agents submit without it, and everyone once an administrator turns it off")
    func exemptions() async throws {
        try await TicketTestKit.run(captcha: .builtin) { client, kit in
            let verified = try await kit.token(UUID(), roles: [PredefinedRoles.registeredUser, PredefinedRoles.registeredUserWithVerifiedEmail])
            let (byVerified, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: verified, body: Self.submission(kit))
            #expect(byVerified == .created)
            let unverified = try await kit.customer()
            let (byUnverified, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: unverified.token, body: Self.submission(kit))
            #expect(byUnverified == .unprocessableContent, "a user who has not confirmed their address passes it")
            let agent = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let (byAgent, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets", token: agent,
                body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Call back","body":"x","customerEmail":"c@customer.example"}"#)
            #expect(byAgent == .created)

            try await kit.identity("management_settings.changed", ["settings": ["captcha": "none", "staleAfterDays": 365], "version": 2])
            let (anonymous, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: Self.submission(kit))
            #expect(anonymous == .created)
        }
    }

    @Test("With Google reCAPTCHA an anonymous submission sends the widget's token, checked with the secret identity announced: missing, refused or spent is 422, a silent provider 503, and neither writes anything")
    func googleRecaptcha() async throws {
        let secret = "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"
        try await TestSiteVerifyServer.run(secret: secret, valid: ["widget-token"]) { url, ledger in
            try await TicketTestKit.run(captcha: .builtin) { client, kit in
                func settings(_ verifyURL: String, version: Int, sealed: Bool = true) async throws {
                    let announced = sealed ? try kit.tokens.seal.seal(secret) : secret
                    try await kit.identity("management_settings.changed", [
                        "settings": ["captcha": "recaptcha", "captchaSiteKey": "site", "captchaSecretKey": announced, "captchaVerifyURL": verifyURL],
                        "version": version,
                    ])
                }
                try await settings(url, version: 2)
                func submit(_ token: String?) async throws -> (HTTPResponse.Status, [String: Any]) {
                    let body = #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Printer","body":"x","email":"visitor@customer.example""#
                        + (token.map { #","captchaResponse":"\#($0)""# } ?? "") + "}"
                    let (status, _, answer) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: nil, body: body)
                    return (status, answer)
                }
                let (missing, problem) = try await submit(nil)
                #expect(missing == .unprocessableContent && (problem["errors"] as? [[String: String]])?.first?["field"] == "captchaResponse")
                #expect(try await submit("forged").0 == .unprocessableContent)
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 0, "nothing written")
                let (elsewhere, _, refused) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets", token: nil,
                    body: #"{"departmentID":"\#(UUID().lowercased)","subject":"Printer","body":"x","email":"visitor@customer.example","captchaResponse":"widget-token"}"#)
                #expect(elsewhere == .unprocessableContent && (refused["errors"] as? [[String: String]])?.first?["field"] == "departmentID",
                        "refused before the provider is asked, so the visitor's token is not spent on it")

                #expect(try await submit("widget-token").0 == .created)
                #expect(try await submit("widget-token").0 == .unprocessableContent, "a token opens one ticket")
                let asked = await ledger.requests
                #expect(asked.count == 3 && asked.allSatisfy { $0["secret"] == secret }, "the secret announced sealed is opened before it is posted")
                let kept = try await kit.database.client.query(
                    PostgresQuery(unsafeSQL: "SELECT captcha_secret_key FROM \(kit.database.table("identity_settings"))"))
                for try await stored in kept.decode(String.self) { #expect(!stored.contains(secret), "tickets keeps it sealed too") }

                try await settings("http://127.0.0.1:\(FreePort.next())/siteverify", version: 3)
                #expect(try await submit("widget-token").0 == .serviceUnavailable)
                try await settings(url, version: 4, sealed: false)
                #expect(try await submit("another-token").0 == .unprocessableContent, "a secret announced before sealing still checks answers")
                #expect(await ledger.requests.last?["secret"] == secret)
                try await settings("http://127.0.0.1:\(FreePort.next())/siteverify", version: 5)
                #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets") == 1)
                let verified = try await kit.token(UUID(), roles: [PredefinedRoles.registeredUser, PredefinedRoles.registeredUserWithVerifiedEmail])
                let (byVerified, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets", token: verified, body: Self.submission(kit))
                #expect(byVerified == .created, "verified users never pass it, so an outage does not stop them")
            }
        }
    }
}
