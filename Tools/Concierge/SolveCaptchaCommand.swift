import ArgumentParser
import Auth
import Foundation

/// `concierge solve-captcha`: reads the answer of `GET /api/v1/identity/captcha` on standard input and prints the
/// `captcha` object a portal submission sends, as the portal's browser would work it out (for scripts and the demo).
struct SolveCaptchaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve-captcha", abstract: "Solves a built-in CAPTCHA challenge read from standard input; prints {\"challenge\",\"solution\"}.")

    func run() throws {
        let offer = try JSONDecoder().decode(Offer.self, from: FileHandle.standardInput.readDataToEndOfFile())
        guard let challenge = offer.challenge, let difficulty = offer.difficulty else {
            throw ValidationError("The CAPTCHA is \(offer.mode): there is nothing to solve.")
        }
        let solution = ProofOfWorkCaptcha.solve(.init(challenge: challenge, difficulty: difficulty, expiresAt: Date()))
        let answer = try JSONEncoder().encode(["challenge": challenge, "solution": solution])
        print(String(decoding: answer, as: UTF8.self))
    }

    struct Offer: Decodable {
        var mode: String
        var challenge: String?
        var difficulty: Int?
    }
}
