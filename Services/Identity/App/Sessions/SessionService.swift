import Auth
import Contracts
import Database
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit

/// Sign-in, refresh and sign-out: the rules around the session repository and the token signer.
public struct SessionService: Sendable {
    let users: UserRepository
    let sessions: SessionRepository
    let tokens: TokenService
    let hasher: PasswordHasher
    let security: SecurityRepository
    let roles: RoleRepository
    let structure: StructureRepository
    /// Minutes without a refresh after which a session no longer keeps its agent signed in (``IdleSignOut``).
    let idleSignOutMinutes: Int

    public init(
        users: UserRepository, sessions: SessionRepository, tokens: TokenService, hasher: PasswordHasher, security: SecurityRepository,
        roles: RoleRepository, structure: StructureRepository, idleSignOutMinutes: Int = IdleSignOut.defaultMinutes
    ) {
        self.idleSignOutMinutes = idleSignOutMinutes
        self.roles = roles
        self.structure = structure
        self.users = users
        self.sessions = sessions
        self.tokens = tokens
        self.hasher = hasher
        self.security = security
    }

    /// Signs in unless brute force protection locked the account or the client address: the failure that reaches
    /// the limit already answers 423 (account) or 429 (address) with the time the lock ends, and so does every
    /// attempt until then, the right password included.
    public func signIn(_ request: SignInRequest, clientAddress: String?) async throws -> SessionTokens {
        let email = request.email.trimmingCharacters(in: .whitespaces).lowercased()
        let settings = try await security.settings()
        if settings.bruteForceProtection {
            if let until = LockoutRules.isLocked(try await security.failures(.account, email), now: Date()) { throw Self.accountLocked(until) }
            if let clientAddress, let until = LockoutRules.isLocked(try await security.failures(.address, clientAddress), now: Date()) {
                throw Self.addressLocked(until)
            }
        }
        let user = try await users.find(email: email)
        guard try await hasher.verify(request.password, hash: user?.passwordHash), let user else {
            if settings.bruteForceProtection {
                // Failures are counted against an account only for what could be one: text that is no address
                // (of any length) names no account to lock.
                let account = EmailAddress.received(email) == nil ? nil : try await security.recordFailure(
                    .account, email, limit: settings.maxFailedSignIns, lockoutMinutes: settings.lockoutMinutes)
                if let clientAddress {
                    let address = try await security.recordFailure(
                        .address, clientAddress, limit: settings.maxFailedSignInsPerAddress, lockoutMinutes: settings.lockoutMinutes)
                    if let until = LockoutRules.isLocked(address, now: Date()) { throw Self.addressLocked(until) }
                }
                if let account, let until = LockoutRules.isLocked(account, now: Date()) { throw Self.accountLocked(until) }
            }
            throw Problem.unauthorized("The email or password is wrong.")
        }
        try await security.clear(.account, email)
        let refreshToken = RefreshToken.generate()
        let sessionID = try await sessions.create(userID: user.id, refreshToken: refreshToken)
        try await structure.recordActivity(user.id)
        if !user.forcePasswordChange { try await structure.signedIn(user.id) }
        return try await issue(for: user, sessionID: sessionID, refreshToken: refreshToken)
    }

    public func refresh(_ request: RefreshRequest) async throws -> SessionTokens {
        let newToken = RefreshToken.generate()
        guard let (sessionID, userID) = try await sessions.rotate(request.refreshToken, to: newToken),
            let user = try await users.find(id: userID)
        else {
            throw Problem.unauthorized("The refresh token is invalid, used, revoked or expired.")
        }
        // Back after the idle sweep signed them out (their console slept): signed in again.
        if !user.forcePasswordChange { try await structure.resumed(user.id) }
        return try await issue(for: user, sessionID: sessionID, refreshToken: newToken)
    }

    /// Ends the session; `handOff`: an agent gives their unpinned Active tickets to others (tickets does it).
    public func signOut(_ principal: Principal, handOff: Bool = false) async throws {
        guard let sessionID = UUID(parsing: principal.sessionID), let userID = UUID(parsing: principal.userID),
            try await sessions.revoke(sessionID: sessionID, userID: userID)
        else {
            throw Problem.notFound("This session has already ended.")
        }
        // Another session keeps them signed in only while it is in use: one left open on a machine long since
        // abandoned does not.
        let open = try await sessions.live(userID: userID, current: principal.sessionID).filter {
            IdleSignOut.keepsSignedIn(refreshedAt: $0.refreshedAt, idleMinutes: idleSignOutMinutes, now: Date())
        }
        try await structure.signedOut(userID, handOff: handOff, stillSignedIn: !open.isEmpty)
    }

    /// Trades an API key for an access token carrying the key's scopes, narrowed to what its owner may still do;
    /// a key never carries administrator rights.
    public func signIn(apiKey: String, keys: ApiKeyRepository) async throws -> AccessTokenOnly {
        guard let (id, secret) = ApiKeyRules.parse(apiKey), let stored = try await keys.use(id),
            RefreshToken.matches(secret, hash: stored.secretHash), stored.revokedAt == nil, stored.expiresAt.map({ $0 > Date() }) ?? true,
            let owner = try await users.find(id: stored.userID)
        else {
            throw Problem.unauthorized("The API key is invalid, revoked or expired.")
        }
        let ownerPermissions = EffectivePermissions.combine(try await roles.held(by: owner.id).map(\.definition))
        let principal = Principal(
            userID: owner.id.uuidString.lowercased(), email: owner.email, sessionID: Principal.apiKeySessionPrefix + id.uuidString.lowercased(),
            roles: ["API key: \(stored.name)"], isSystemAdministrator: false,
            permissions: ApiKeyRules.effective(scopes: stored.scopes, owner: ownerPermissions), scope: .none)
        return AccessTokenOnly(
            accessToken: try await tokens.sign(principal), expiresIn: Int(tokens.accessTokenLifetime.components.seconds), tokenType: "Bearer")
    }

    static func accountLocked(_ until: Date) -> Problem {
        Problem(
            status: HTTPResponse.Status(code: 423, reasonPhrase: "Locked"), type: Problem.typeBase + "account-locked",
            title: "Account locked", detail: "Too many failed sign-ins; the account is locked until \(until.formatted(.iso8601)).",
            headers: [.retryAfter: String(max(1, Int(until.timeIntervalSinceNow.rounded(.up))))])
    }

    static func addressLocked(_ until: Date) -> Problem {
        Problem(
            status: .tooManyRequests, type: Problem.typeBase + "address-locked", title: "Too many failed sign-ins",
            detail: "Too many failed sign-ins from this address; try again after \(until.formatted(.iso8601)).",
            headers: [.retryAfter: String(max(1, Int(until.timeIntervalSinceNow.rounded(.up))))])
    }

    private func issue(for user: UserRecord, sessionID: UUID, refreshToken: String) async throws -> SessionTokens {
        var principal = Principal(
            userID: user.id.uuidString.lowercased(), email: user.email, sessionID: sessionID.uuidString.lowercased(),
            roles: [], isSystemAdministrator: false)
        if !user.forcePasswordChange {
            let held = try await roles.held(by: user.id)
            principal.roles = held.map(\.name)
            principal.isSystemAdministrator = user.isSystemAdministrator
            principal.permissions = EffectivePermissions.combine(held.map(\.definition))
            principal.scope = AccessScope.of(roleNames: principal.roles)
        }
        return SessionTokens(
            accessToken: try await tokens.sign(principal), refreshToken: refreshToken,
            expiresIn: Int(tokens.accessTokenLifetime.components.seconds), tokenType: "Bearer",
            passwordChangeRequired: user.forcePasswordChange)
    }
}
