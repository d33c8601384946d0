import Contracts
import Foundation
import JWTKit
import ServiceKit

/// Signs short-lived HS256 access tokens (identity) and verifies them (every service), with one shared secret
/// from `CONCIERGE_TOKEN_SECRET`.
public struct TokenService: Sendable {
    private let keys: JWTKeyCollection
    private let verified: VerifiedTokenCache
    public let accessTokenLifetime: Duration
    /// Codes for links sent outside (a ticket's "View ticket online"), from the same secret.
    public let links: LinkSigner
    /// The built-in CAPTCHA's challenges, from the same secret.
    public let captcha: ProofOfWorkCaptcha
    /// Secrets handed to the other services in events, sealed with the same secret.
    public let seal: SecretSeal

    public static let developmentSecret = "concierge-development-secret-change-me"

    /// `cachedTokens`: how many verified tokens to remember (see `VerifiedTokenCache`); 0 verifies every time.
    /// `captchaDifficulty`: the zero bits the built-in CAPTCHA's challenges ask for (each bit doubles a visitor's work).
    public init(
        secret: String, accessTokenLifetime: Duration = .seconds(900), cachedTokens: Int = 10_000,
        captchaDifficulty: Int = ProofOfWorkCaptcha.defaultDifficulty
    ) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.verified = VerifiedTokenCache(capacity: cachedTokens)
        self.accessTokenLifetime = accessTokenLifetime
        self.links = LinkSigner(secret: secret)
        self.captcha = ProofOfWorkCaptcha(secret: secret, difficulty: captchaDifficulty)
        self.seal = SecretSeal(secret: secret)
    }

    /// HS256 needs a key at least as long as its hash.
    public static let minimumSecretBytes = 32

    public static func fromEnvironment(_ environment: EnvironmentReader) async throws -> TokenService {
        let secret = environment.string("CONCIERGE_TOKEN_SECRET", default: developmentSecret)
        guard secret.utf8.count >= minimumSecretBytes else {
            throw ConfigurationError(variable: "CONCIERGE_TOKEN_SECRET", value: "(hidden)", expected: "at least \(minimumSecretBytes) bytes long")
        }
        let difficulty = try environment.int("CONCIERGE_CAPTCHA_DIFFICULTY", default: ProofOfWorkCaptcha.defaultDifficulty)
        guard ProofOfWorkCaptcha.difficulties.contains(difficulty) else {
            throw ConfigurationError(
                variable: "CONCIERGE_CAPTCHA_DIFFICULTY", value: "\(difficulty)",
                expected: "\(ProofOfWorkCaptcha.difficulties.lowerBound)...\(ProofOfWorkCaptcha.difficulties.upperBound) zero bits")
        }
        return await TokenService(
            secret: secret,
            accessTokenLifetime: .seconds(try environment.int("CONCIERGE_ACCESS_TOKEN_TTL_SECONDS", default: 900)), captchaDifficulty: difficulty)
    }

    public func sign(_ principal: Principal, now: Date = Date()) async throws -> String {
        let lifetime = TimeInterval(accessTokenLifetime.components.seconds)
        let claims = AccessTokenClaims(
            sub: .init(value: principal.userID), exp: .init(value: now.addingTimeInterval(lifetime)),
            iat: .init(value: now), iss: .init(value: AccessTokenClaims.issuer), email: principal.email,
            sid: principal.sessionID, roles: principal.roles, sysadmin: principal.isSystemAdministrator,
            perm: PermissionClaim.encode(principal.permissions), scope: principal.scope)
        return try await keys.sign(claims)
    }

    /// The principal of a valid token; a 401 problem for a missing, forged or expired one.
    public func verify(_ token: String) async throws -> Principal {
        let now = Date()
        if let principal = verified.principal(for: token, now: now) { return principal }
        let claims: AccessTokenClaims
        do {
            claims = try await keys.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw Problem.unauthorized("The access token is invalid or expired.")
        }
        let principal = claims.principal
        verified.store(principal, for: token, expiresAt: claims.exp.value, now: now)
        return principal
    }

    /// How many verified tokens are remembered now.
    public var rememberedTokens: Int { verified.count }
}
