import Auth
import Foundation
import HTTPTypes
import HummingbirdTesting
import IdentityApp
import Testing
import TestSupport

@Suite("Management Interface settings", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct ManagementSettingsAPITests {
    let api = IdentityAPITests()
    static let path = "/api/v1/identity/settings/management"

    @Test("The stale-after days start at 365 and an administrator's merge patch changes them, announced whole on identity.events")
    func staleAfterDaysChange() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let (read, headers, initial) = try await IdentityAPITests.send(client, .get, Self.path, token: admin, body: "")
            #expect(read == .ok)
            let defaults = try #require(initial["settings"] as? [String: Any])
            #expect(defaults["staleAfterDays"] as? Int == 365)
            #expect(defaults["simultaneousSignIn"] as? Bool == false && defaults["automaticTimeLogs"] as? Bool == false)
            #expect(defaults["agentUploadExtensions"] as? [String] == ["*.*"])
            #expect((defaults["userUploadExtensions"] as? [String])?.contains(".pdf") == true)
            #expect(defaults["maxAttachmentMB"] as? Int == 2, "2 MB by default")
            let etag = try #require(headers[.eTag])
            let (changed, changedHeaders, body) = try await IdentityAPITests.exchange(
                client, .patch, Self.path, token: admin, headers: [.ifMatch: etag, .contentType: "application/merge-patch+json"],
                bytes: Array(#"{"staleAfterDays":90,"baseURL":"https://help.example.com"}"#.utf8))
            #expect(changed == .ok)
            #expect(changedHeaders[.eTag] == "\"2\"")
            let settings = try #require(IdentityAPITests.object(body)["settings"] as? [String: Any])
            #expect(settings["staleAfterDays"] as? Int == 90 && settings["loginBackground"] as? String == "default")
            let event = try await IdentityAPITests.lastEventData("management_settings.changed", database)
            #expect((event["settings"] as? [String: Any])?["staleAfterDays"] as? Int == 90)
            #expect(event["version"] as? Int == 2)
            let (stale, _, _) = try await IdentityAPITests.exchange(
                client, .patch, Self.path, token: admin, headers: [.ifMatch: etag], bytes: Array(#"{"staleAfterDays":30}"#.utf8))
            #expect(stale == .preconditionFailed, "a second administrator working from version 1 does not overwrite version 2")
        }
    }

    @Test("Out-of-range days or attachment size, a base URL that is not http(s), a background that is neither stock nor a color and an upload extension without its dot are 422; agents get 403")
    func invalidSettings() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let agent = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let cases: [(String, String)] = [
                (#"{"staleAfterDays":0}"#, "staleAfterDays"),
                (#"{"baseURL":"ftp://help.example.com"}"#, "baseURL"),
                (#"{"loginBackground":"sunset.gif"}"#, "loginBackground"),
                (#"{"userUploadExtensions":["jpg"]}"#, "userUploadExtensions"),
                (#"{"agentUploadExtensions":[".exe", "*"]}"#, "agentUploadExtensions"),
                (#"{"maxAttachmentMB":0}"#, "maxAttachmentMB"),
                (#"{"maxAttachmentMB":16}"#, "maxAttachmentMB"),
            ]
            for (patch, field) in cases {
                let (status, _, problem) = try await IdentityAPITests.send(client, .patch, Self.path, token: admin, body: patch)
                #expect(status == .unprocessableContent, "\(patch)")
                #expect((problem["errors"] as? [[String: String]])?.first?["field"] == field, "\(patch)")
            }
            let (byAgent, _, _) = try await IdentityAPITests.send(client, .patch, Self.path, token: agent, body: #"{"staleAfterDays":30}"#)
            #expect(byAgent == .forbidden)
            let (readByAgent, _, _) = try await IdentityAPITests.send(client, .get, Self.path, token: agent, body: "")
            #expect(readByAgent == .forbidden)
            let (_, _, unchanged) = try await IdentityAPITests.send(client, .get, Self.path, token: admin, body: "")
            #expect(unchanged["version"] as? Int == 1)
            #expect(try await IdentityAPITests.lastEventData("management_settings.changed", database).isEmpty)
        }
    }

    @Test("The built-in CAPTCHA is on by default, hands out signed challenges and guards registration, one solution an account; an administrator turns it off; an unknown mode is refused")
    func captchaOffers() async throws {
        try await api.withIdentity { client, _ in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let (status, _, offer) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/captcha", token: nil, body: "")
            #expect(status == .ok)
            #expect(offer["mode"] as? String == "builtin")
            let challenge = try #require(offer["challenge"] as? String)
            let difficulty = try #require(offer["difficulty"] as? Int)
            let captcha = ProofOfWorkCaptcha(secret: TokenService.developmentSecret, difficulty: 8)
            let solution = ProofOfWorkCaptcha.solve(.init(challenge: challenge, difficulty: difficulty, expiresAt: Date()))
            #expect((try? captcha.check(challenge: challenge, solution: solution)) != nil, "any service with the token secret checks it")

            let registrations = "/api/v1/identity/registrations"
            let (unsolved, _, refusal) = try await IdentityAPITests.send(
                client, .post, registrations, body: #"{"email":"kim@customer.example","password":"kims-password-1"}"#)
            #expect(unsolved == .unprocessableContent && (refusal["errors"] as? [[String: String]])?.first?["field"] == "captcha")
            let answer = IdentityAPITests.solvedCaptcha()
            let (registered, _, _) = try await IdentityAPITests.send(
                client, .post, registrations, body: #"{"email":"kim@customer.example","password":"kims-password-1"\#(answer)}"#)
            #expect(registered == .created)
            let (reused, _, _) = try await IdentityAPITests.send(
                client, .post, registrations, body: #"{"email":"lou@customer.example","password":"lous-password-1"\#(answer)}"#)
            #expect(reused == .unprocessableContent, "one solution opens one account")

            let (bad, _, problem) = try await IdentityAPITests.send(client, .patch, Self.path, token: admin, body: #"{"captcha":"recaptcha"}"#)
            #expect(bad.code / 100 == 4, "\(problem)")
            let (off, _, _) = try await IdentityAPITests.send(client, .patch, Self.path, token: admin, body: #"{"captcha":"none"}"#)
            #expect(off == .ok)
            let (_, _, none) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/captcha", token: nil, body: "")
            #expect(none["mode"] as? String == "none" && none["challenge"] == nil)
            let (free, _, _) = try await IdentityAPITests.send(
                client, .post, registrations, body: #"{"email":"lou@customer.example","password":"lous-password-1"}"#)
            #expect(free == .created, "with the CAPTCHA off, visitors register without one")
        }
    }

    @Test("Google reCAPTCHA needs both keys and a web address to check at; the secret is announced sealed, the portal is offered the site key, never the secret, and registration passes the widget's token")
    func googleRecaptcha() async throws {
        let secret = "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"
        try await TestSiteVerifyServer.run(secret: secret, valid: ["widget-token"]) { url, ledger in
            try await api.withIdentity { client, database in
                let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
                let (keyless, _, problem) = try await IdentityAPITests.send(client, .patch, Self.path, token: admin, body: #"{"captcha":"recaptcha"}"#)
                #expect(keyless == .unprocessableContent)
                #expect(Set((problem["errors"] as? [[String: String]] ?? []).compactMap { $0["field"] }) == ["captchaSiteKey", "captchaSecretKey"])
                let (badAddress, _, _) = try await IdentityAPITests.send(
                    client, .patch, Self.path, token: admin,
                    body: #"{"captcha":"recaptcha","captchaSiteKey":"site","captchaSecretKey":"\#(secret)","captchaVerifyURL":"ftp://verify.example"}"#)
                #expect(badAddress == .unprocessableContent)
                let (_, _, unchanged) = try await IdentityAPITests.send(client, .get, Self.path, token: admin, body: "")
                #expect(unchanged["version"] as? Int == 1, "a refused change writes nothing")

                let (set, _, _) = try await IdentityAPITests.send(
                    client, .patch, Self.path, token: admin,
                    body: #"{"captcha":"recaptcha","captchaSiteKey":"6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI","captchaSecretKey":"\#(secret)","captchaVerifyURL":"\#(url)"}"#)
                #expect(set == .ok)
                let announced = try #require(try await IdentityAPITests.lastEventData("management_settings.changed", database)["settings"] as? [String: Any])
                let sealed = try #require(announced["captchaSecretKey"] as? String)
                #expect(!sealed.contains(secret), "the broker never holds the secret readable")
                #expect(
                    try SecretSeal(secret: TokenService.developmentSecret).open(sealed) == secret,
                    "the services that check answers open it with the token secret they share")
                let (_, _, stored) = try await IdentityAPITests.send(client, .get, Self.path, token: admin, body: "")
                #expect((stored["settings"] as? [String: Any])?["captchaSecretKey"] as? String == secret, "administrators read it as they set it")
                let (_, _, offer) = try await IdentityAPITests.send(client, .get, "/api/v1/identity/captcha", token: nil, body: "")
                #expect(offer["mode"] as? String == "recaptcha" && offer["siteKey"] as? String == "6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI")
                #expect(offer["challenge"] == nil && !"\(offer)".contains(secret))

                let registrations = "/api/v1/identity/registrations"
                let (without, _, refusal) = try await IdentityAPITests.send(
                    client, .post, registrations, body: #"{"email":"kim@customer.example","password":"kims-password-1"}"#)
                #expect(without == .unprocessableContent && (refusal["errors"] as? [[String: String]])?.first?["field"] == "captchaResponse")
                let (passed, _, _) = try await IdentityAPITests.send(
                    client, .post, registrations, body: #"{"email":"kim@customer.example","password":"kims-password-1","captchaResponse":"widget-token"}"#)
                #expect(passed == .created)
                let (reused, _, _) = try await IdentityAPITests.send(
                    client, .post, registrations, body: #"{"email":"lou@customer.example","password":"lous-password-1","captchaResponse":"widget-token"}"#)
                #expect(reused == .unprocessableContent, "Google verifies a token once")
                let asked = await ledger.requests
                #expect(asked.count == 2 && asked.allSatisfy { $0["secret"] == secret })
            }
        }
    }
}
