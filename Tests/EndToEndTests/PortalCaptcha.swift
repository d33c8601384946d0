import Auth
import Foundation
import Testing
import TestSupport

/// The built-in CAPTCHA as a portal's browser passes it: a challenge fetched through the gateway, solved.
enum PortalCaptcha {
    static func solved(_ fleet: TestFleet) async throws -> [String: String] {
        let offer = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/captcha", host: "demo.localhost")
        #expect(offer.json?["mode"] as? String == "builtin", "on by default")
        let challenge = try #require(offer.json?["challenge"] as? String)
        let difficulty = try #require(offer.json?["difficulty"] as? Int)
        return ["challenge": challenge, "solution": ProofOfWorkCaptcha.solve(.init(challenge: challenge, difficulty: difficulty, expiresAt: Date()))]
    }
}
