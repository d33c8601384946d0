import Crypto
import Foundation
import ServiceKit

/// The built-in CAPTCHA: a proof of work. A challenge names a random id, when it expires and how many leading zero
/// bits the answer's hash needs, signed (``LinkSigner``) so that any service holding the fleet's token secret checks
/// it without asking the one that issued it. The portal's browser finds a `solution` such that
/// SHA-256(`challenge` + ":" + `solution`) starts with that many zero bits (about 65,000 hashes at 16 bits, a
/// fraction of a second), which a person never sees and which makes every scripted submission pay for its hashes.
/// Nothing here calls a third party, so it works where Google's reCAPTCHA is blocked. The service that accepts a
/// solved challenge records its id so that it is spent once.
public struct ProofOfWorkCaptcha: Sendable {
    /// A challenge to solve, as it is handed out.
    public struct Challenge: Codable, Sendable, Equatable {
        public var challenge: String
        public var difficulty: Int
        public var expiresAt: Date

        public init(challenge: String, difficulty: Int, expiresAt: Date) {
            self.challenge = challenge
            self.difficulty = difficulty
            self.expiresAt = expiresAt
        }
    }

    /// A challenge that checked out: its id, to be spent once, and until when it had to be.
    public struct Accepted: Sendable, Equatable {
        public var id: String
        public var expiresAt: Date
    }

    /// What a submission sends: a challenge and its solution.
    public struct Answer: Decodable, Sendable {
        public var challenge: String
        public var solution: String
    }

    public enum Refusal: Error, Equatable {
        case malformed, forged, expired, unsolved
    }

    public static let defaultDifficulty = 16
    /// What `CONCIERGE_CAPTCHA_DIFFICULTY` may be: past 32 bits a browser would work for hours.
    public static let difficulties = 0...32
    public static let lifetime: TimeInterval = 600

    private let signer: LinkSigner
    public let difficulty: Int

    public init(secret: String, difficulty: Int = ProofOfWorkCaptcha.defaultDifficulty) {
        signer = LinkSigner(secret: secret, purpose: "concierge captcha challenges")
        self.difficulty = difficulty
    }

    /// A new challenge, good for ``lifetime``.
    public func issue(now: Date = Date()) -> Challenge {
        let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let expires = Int(now.timeIntervalSince1970 + Self.lifetime)
        let subject = "\(id).\(expires).\(difficulty)"
        return Challenge(challenge: "\(subject).\(signer.code(for: subject))", difficulty: difficulty, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)))
    }

    /// Checks a challenge this fleet issued, still valid at `now`, and its solution.
    public func check(challenge: String, solution: String, now: Date = Date()) throws(Refusal) -> Accepted {
        let parts = challenge.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, solution.utf8.count <= 64, let expires = Int(parts[1]), let bits = Int(parts[2]), (0...64).contains(bits) else {
            throw .malformed
        }
        guard signer.verifies(String(parts[3]), for: parts[0...2].joined(separator: ".")) else { throw .forged }
        guard TimeInterval(expires) > now.timeIntervalSince1970 else { throw .expired }
        guard Self.leadingZeroBits(of: challenge, solution) >= bits else { throw .unsolved }
        return Accepted(id: String(parts[0]), expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)))
    }

    /// The solved challenge a submission sent (`answer`); a 422 naming `captcha` when it is missing, not this fleet's,
    /// expired or unsolved.
    public func accept(_ answer: Answer?, now: Date = Date()) throws -> Accepted {
        func refused(_ message: String) -> Problem {
            Problem.unprocessable("Pass the CAPTCHA first.", errors: [.init(field: "captcha", message: message)])
        }
        guard let answer else { throw refused("required: solve GET /api/v1/identity/captcha and send {challenge, solution}") }
        do {
            return try check(challenge: answer.challenge, solution: answer.solution, now: now)
        } catch .expired {
            throw refused("the challenge expired; solve a new one")
        } catch .unsolved {
            throw refused("the solution does not solve the challenge")
        } catch .malformed, .forged {
            throw refused("not a challenge of GET /api/v1/identity/captcha")
        }
    }

    /// The answer to a challenge that was already spent.
    public static var alreadySpent: Problem {
        Problem.unprocessable(
            "This CAPTCHA was already used.", errors: [.init(field: "captcha", message: "solve a new challenge from GET /api/v1/identity/captcha")])
    }

    /// The leading zero bits of SHA-256(`challenge:solution`).
    public static func leadingZeroBits(of challenge: String, _ solution: String) -> Int {
        var count = 0
        for byte in SHA256.hash(data: Data("\(challenge):\(solution)".utf8)) {
            guard byte == 0 else { return count + byte.leadingZeroBitCount }
            count += 8
        }
        return count
    }

    /// What a client does: the first counter, as decimal text, whose hash has the challenge's zero bits.
    public static func solve(_ challenge: Challenge) -> String {
        var counter = 0
        while leadingZeroBits(of: challenge.challenge, String(counter)) < challenge.difficulty { counter += 1 }
        return String(counter)
    }
}
