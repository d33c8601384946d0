@testable import Auth
import Contracts
import Foundation
import ServiceKit
import Testing

@Suite("Access tokens")
struct TokenServiceTests {
    let principal = Principal(userID: "u1", email: "a@demo.localhost", sessionID: "s1", roles: ["Administrator"], isSystemAdministrator: true)

    @Test("A signed token verifies back to the same principal")
    func roundTrip() async throws {
        let tokens = await TokenService(secret: TokenService.developmentSecret)
        #expect(try await tokens.verify(try await tokens.sign(principal)) == principal)
    }

    @Test("A tampered, foreign or expired token is a 401 problem")
    func rejected() async throws {
        let tokens = await TokenService(secret: TokenService.developmentSecret, accessTokenLifetime: .seconds(60))
        let token = try await tokens.sign(principal)
        let other = await TokenService(secret: String(repeating: "k", count: 40))
        await #expect(throws: Problem.self) { try await tokens.verify(token + "x") }
        await #expect(throws: Problem.self) { try await other.verify(token) }
        let expired = try await tokens.sign(principal, now: Date().addingTimeInterval(-3600))
        await #expect(throws: Problem.self) { try await tokens.verify(expired) }
    }

    @Test("An Authorization header names a token with the Bearer scheme in any case, and nothing else does")
    func bearerScheme() {
        for header in ["Bearer t", "bearer abc.def", "BEARER x", "bEaReR é"] {
            #expect(AuthenticationMiddleware<ServiceRequestContext>.namesBearerToken(header), "\(header)")
        }
        for header in ["", "Bearer", "Bearer ", "Basic dXNlcjpw", "Bearerx t", "Béarer t", "Bearer\tt", "\u{0}earer t"] {
            #expect(!AuthenticationMiddleware<ServiceRequestContext>.namesBearerToken(header), "\(header)")
        }
    }

    @Test("A token secret shorter than 32 bytes is refused at start-up")
    func shortSecret() async {
        await #expect(throws: ConfigurationError.self) {
            try await TokenService.fromEnvironment(EnvironmentReader(["CONCIERGE_TOKEN_SECRET": "short"]))
        }
    }

    @Test("Only a system administrator passes the administrator check; nobody signed in is a 401")
    func authorization() throws {
        #expect(throws: Problem.unauthorized("Sign in first.")) { try Authorization.requireSystemAdministrator(nil) }
        var agent = principal
        agent.isSystemAdministrator = false
        #expect(throws: Problem.forbidden("Only a system administrator may do this.")) { try Authorization.requireSystemAdministrator(agent) }
        #expect(try Authorization.requireSystemAdministrator(principal) == principal)
    }
}
