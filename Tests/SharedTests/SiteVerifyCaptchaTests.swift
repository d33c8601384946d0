import Auth
import Contracts
import Foundation
import HTTPTypes
import ServiceKit
import Testing
import TestSupport

@Suite("Google reCAPTCHA's check of an answer")
struct SiteVerifyCaptchaTests {
    static let secret = "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"
    static let tokenSecret = "a secret of at least thirty-two bytes, for tests"
    let check = CaptchaCheck(builtin: ProofOfWorkCaptcha(secret: tokenSecret, difficulty: 8), seal: SecretSeal(secret: tokenSecret))

    /// The status of the problem `work` throws, nil when it throws none.
    static func status(_ work: () async throws -> Void) async -> HTTPResponse.Status? {
        do {
            try await work()
            return nil
        } catch let problem as Problem {
            return problem.status
        } catch {
            return .internalServerError
        }
    }

    @Test("A token the provider accepts passes once, posted form-encoded with the secret key; again, or another token, is 422")
    func acceptedOnce() async throws {
        try await TestSiteVerifyServer.run(secret: Self.secret, valid: ["tok+en/1=="]) { url, ledger in
            let setting = CaptchaCheck.Setting(mode: .recaptcha, secretKey: Self.secret, verifyURL: url)
            #expect(try await check.pass(setting, challenge: nil, response: "tok+en/1==") == nil)
            #expect(await ledger.requests == [["secret": Self.secret, "response": "tok+en/1=="]], "the fields survive their encoding")
            #expect(await Self.status { _ = try await check.pass(setting, challenge: nil, response: "tok+en/1==") } == .unprocessableContent)
            #expect(await Self.status { _ = try await check.pass(setting, challenge: nil, response: "forged") } == .unprocessableContent)
            do {
                _ = try await check.pass(setting, challenge: nil, response: "forged")
                Issue.record("a forged token passed")
            } catch let problem as Problem {
                #expect(problem.errors.map(\.field) == ["captchaResponse"])
            }
        }
    }

    @Test("A secret key announced sealed is opened before it is posted: the provider sees the key itself")
    func sealedSecretKey() async throws {
        try await TestSiteVerifyServer.run(secret: Self.secret, valid: ["token"]) { url, ledger in
            let sealed = try SecretSeal(secret: Self.tokenSecret).seal(Self.secret)
            #expect(sealed != Self.secret && !sealed.contains(Self.secret))
            let setting = CaptchaCheck.Setting(mode: .recaptcha, secretKey: sealed, verifyURL: url)
            #expect(try await check.pass(setting, challenge: nil, response: "token") == nil)
            #expect(await ledger.requests == [["secret": Self.secret, "response": "token"]])
        }
    }

    @Test("A missing token is 422 without asking the provider; a wrong secret key or a silent provider is 503")
    func refusalsAndOutages() async throws {
        try await TestSiteVerifyServer.run(secret: Self.secret, valid: ["token"]) { url, ledger in
            let setting = CaptchaCheck.Setting(mode: .recaptcha, secretKey: Self.secret, verifyURL: url)
            for missing in [nil, ""] {
                #expect(await Self.status { _ = try await check.pass(setting, challenge: nil, response: missing) } == .unprocessableContent)
            }
            #expect(await ledger.requests.isEmpty)
            var misconfigured = setting
            misconfigured.secretKey = "not-the-key"
            #expect(await Self.status { _ = try await check.pass(misconfigured, challenge: nil, response: "token") } == .serviceUnavailable)
            var elsewhere = setting
            elsewhere.verifyURL = url.replacingOccurrences(of: "siteverify", with: "missing")
            #expect(await Self.status { _ = try await check.pass(elsewhere, challenge: nil, response: "token") } == .serviceUnavailable, "a 404 is no verdict")
            var sealedElsewhere = setting
            sealedElsewhere.secretKey = try SecretSeal(secret: String(repeating: "k", count: 40)).seal(Self.secret)
            let asked = await ledger.requests.count
            #expect(
                await Self.status { _ = try await check.pass(sealedElsewhere, challenge: nil, response: "token") } == .serviceUnavailable,
                "a secret sealed with another token secret cannot be opened")
            #expect(await ledger.requests.count == asked, "nor is the provider asked with it")
            let unspent = await Self.status { _ = try await check.pass(setting, challenge: nil, response: "token") }
            #expect(unspent == nil, "the token is still unspent")
        }
        let closed = CaptchaCheck.Setting(mode: .recaptcha, secretKey: Self.secret, verifyURL: "http://127.0.0.1:\(FreePort.next())/siteverify")
        #expect(await Self.status { _ = try await check.pass(closed, challenge: nil, response: "token") } == .serviceUnavailable)
    }

    @Test("With the CAPTCHA off nothing is checked, and the built-in mode accepts a solved challenge")
    func otherModes() async throws {
        #expect(try await check.pass(CaptchaCheck.Setting(mode: .none), challenge: nil, response: nil) == nil)
        let challenge = check.builtin.issue()
        let answer = try JSONDecoder().decode(
            ProofOfWorkCaptcha.Answer.self, from: Data(#"{"challenge":"\#(challenge.challenge)","solution":"\#(ProofOfWorkCaptcha.solve(challenge))"}"#.utf8))
        #expect(try await check.pass(CaptchaCheck.Setting(mode: .builtin), challenge: answer, response: "ignored") != nil)
        #expect(await Self.status { _ = try await check.pass(CaptchaCheck.Setting(mode: .builtin), challenge: nil, response: "token") } == .unprocessableContent)
    }
}
