@testable import Auth
import Contracts
import Foundation
import ServiceKit
import Testing

@Suite("Verified access tokens are remembered until they expire")
struct VerifiedTokenCacheTests {
    let principal = Principal(userID: "u1", email: "a@demo.localhost", sessionID: "s1", roles: ["Agent"], isSystemAdministrator: false)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("A remembered token answers its principal until its expiry, and nothing after")
    func expiry() {
        let cache = VerifiedTokenCache(capacity: 10)
        cache.store(principal, for: "t1", expiresAt: now.addingTimeInterval(60), now: now)
        #expect(cache.principal(for: "t1", now: now.addingTimeInterval(59)) == principal)
        #expect(cache.principal(for: "t1", now: now.addingTimeInterval(60)) == nil)
        #expect(cache.count == 0)
        #expect(cache.principal(for: "t2", now: now) == nil)
    }

    @Test("An already expired token is not remembered")
    func expiredNotStored() {
        let cache = VerifiedTokenCache(capacity: 10)
        cache.store(principal, for: "t1", expiresAt: now, now: now)
        #expect(cache.count == 0)
    }

    @Test("A full cache drops the expired tokens first, and everything when none expired")
    func bounded() {
        let cache = VerifiedTokenCache(capacity: 3)
        cache.store(principal, for: "old", expiresAt: now.addingTimeInterval(1), now: now)
        cache.store(principal, for: "a", expiresAt: now.addingTimeInterval(600), now: now)
        cache.store(principal, for: "b", expiresAt: now.addingTimeInterval(600), now: now)
        cache.store(principal, for: "c", expiresAt: now.addingTimeInterval(600), now: now.addingTimeInterval(5))
        #expect(cache.count == 3)
        #expect(cache.principal(for: "old", now: now.addingTimeInterval(5)) == nil)
        #expect(cache.principal(for: "c", now: now.addingTimeInterval(5)) == principal)
        cache.store(principal, for: "d", expiresAt: now.addingTimeInterval(600), now: now.addingTimeInterval(5))
        #expect(cache.count == 1)
        #expect(cache.principal(for: "d", now: now.addingTimeInterval(5)) == principal)
    }

    @Test("The token service remembers a verified token and still refuses it once expired")
    func throughTheService() async throws {
        let tokens = await TokenService(secret: TokenService.developmentSecret, accessTokenLifetime: .seconds(2))
        let token = try await tokens.sign(principal, now: Date().addingTimeInterval(-1))
        #expect(try await tokens.verify(token) == principal)
        #expect(tokens.rememberedTokens == 1)
        #expect(try await tokens.verify(token) == principal)
        await #expect(throws: Problem.self) { try await tokens.verify(token + "x") }
        #expect(tokens.rememberedTokens == 1)
        try await Task.sleep(for: .milliseconds(1_600))
        await #expect(throws: Problem.self) { try await tokens.verify(token) }
    }
}
