import Auth
import Foundation
import Testing

@Suite("The built-in CAPTCHA")
struct ProofOfWorkCaptchaTests {
    /// 8 bits keep the suite's solving cheap beside the others running at once; the default is checked on its own.
    let captcha = ProofOfWorkCaptcha(secret: "a secret of at least thirty-two bytes, for tests", difficulty: 8)

    @Test("A solved challenge is accepted with its id and expiry, and its solution really has the challenge's zero bits")
    func solvedChallengeIsAccepted() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let challenge = captcha.issue(now: now)
        #expect(challenge.difficulty == 8)
        #expect(ProofOfWorkCaptcha(secret: "a secret of at least thirty-two bytes, for tests").issue(now: now).difficulty == 16, "the default")
        #expect(challenge.expiresAt == now.addingTimeInterval(ProofOfWorkCaptcha.lifetime))
        let solution = ProofOfWorkCaptcha.solve(challenge)
        #expect(ProofOfWorkCaptcha.leadingZeroBits(of: challenge.challenge, solution) >= challenge.difficulty)
        let accepted = try captcha.check(challenge: challenge.challenge, solution: solution, now: now)
        #expect(accepted.expiresAt == challenge.expiresAt)
        #expect(challenge.challenge.hasPrefix(accepted.id + "."))
        #expect(captcha.issue(now: now).challenge != challenge.challenge, "every challenge has its own id")
    }

    @Test("Unsolved, expired, forged, altered and malformed challenges are refused, each for its reason")
    func refusals() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let challenge = captcha.issue(now: now)
        let solution = ProofOfWorkCaptcha.solve(challenge)
        let wrong = (0...).lazy.map(String.init).first { ProofOfWorkCaptcha.leadingZeroBits(of: challenge.challenge, $0) < challenge.difficulty } ?? ""
        #expect(throws: ProofOfWorkCaptcha.Refusal.unsolved) { try captcha.check(challenge: challenge.challenge, solution: wrong, now: now) }
        #expect(throws: ProofOfWorkCaptcha.Refusal.expired) {
            try captcha.check(challenge: challenge.challenge, solution: solution, now: challenge.expiresAt)
        }
        let other = ProofOfWorkCaptcha(secret: "another secret of at least thirty-two bytes!!", difficulty: 8)
        let foreign = other.issue(now: now)
        #expect(throws: ProofOfWorkCaptcha.Refusal.forged) {
            try captcha.check(challenge: foreign.challenge, solution: ProofOfWorkCaptcha.solve(foreign), now: now)
        }
        var parts = challenge.challenge.split(separator: ".").map(String.init)
        parts[2] = "1"
        let easier = parts.joined(separator: ".")
        #expect(throws: ProofOfWorkCaptcha.Refusal.forged, "lowering the difficulty breaks the signature") {
            try captcha.check(challenge: easier, solution: "0", now: now)
        }
        for malformed in ["", "abc", "a.b.c.d", challenge.challenge + ".x"] {
            #expect(throws: ProofOfWorkCaptcha.Refusal.malformed, "\(malformed)") { try captcha.check(challenge: malformed, solution: solution, now: now) }
        }
    }
}
