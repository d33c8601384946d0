import Auth
import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Sign-in, refresh and sign-out: the rules around the session repository and the token signer.
public struct SessionService: Sendable {
    let users: UserRepository
    let sessions: SessionRepository
    let tokens: TokenService
    let hasher: PasswordHasher

    public init(users: UserRepository, sessions: SessionRepository, tokens: TokenService, hasher: PasswordHasher) {
        self.users = users
        self.sessions = sessions
        self.tokens = tokens
        self.hasher = hasher
    }

    public func signIn(_ request: SignInRequest) async throws -> SessionTokens {
        let user = try await users.find(email: request.email.trimmingCharacters(in: .whitespaces))
        guard try await hasher.verify(request.password, hash: user?.passwordHash), let user else {
            throw Problem.unauthorized("The email or password is wrong.")
        }
        let refreshToken = RefreshToken.generate()
        let sessionID = try await sessions.create(userID: user.id, refreshToken: refreshToken)
        return try await issue(for: user, sessionID: sessionID, refreshToken: refreshToken)
    }

    public func refresh(_ request: RefreshRequest) async throws -> SessionTokens {
        let newToken = RefreshToken.generate()
        guard let (sessionID, userID) = try await sessions.rotate(request.refreshToken, to: newToken),
            let user = try await sessions.database.client.withConnection({ try await users.find(id: userID, on: $0) })
        else {
            throw Problem.unauthorized("The refresh token is invalid, used, revoked or expired.")
        }
        return try await issue(for: user, sessionID: sessionID, refreshToken: newToken)
    }

    public func signOut(_ principal: Principal) async throws {
        guard let sessionID = UUID(uuidString: principal.sessionID), let userID = UUID(uuidString: principal.userID),
            try await sessions.revoke(sessionID: sessionID, userID: userID)
        else {
            throw Problem.notFound("This session has already ended.")
        }
    }

    /// Until roles are stored per user (issue 4), the system administrator holds Administrator and Agent (as the
    /// initial administrator does) and everyone else Registered User; Everyone applies to all.
    static func roles(of user: UserRecord) -> [String] {
        let held = user.isSystemAdministrator
            ? [PredefinedRoles.administrator, PredefinedRoles.agent] : [PredefinedRoles.registeredUser]
        return [PredefinedRoles.everyone] + held
    }

    private func issue(for user: UserRecord, sessionID: UUID, refreshToken: String) async throws -> SessionTokens {
        let principal = Principal(
            userID: user.id.uuidString.lowercased(), email: user.email, sessionID: sessionID.uuidString.lowercased(),
            roles: Self.roles(of: user), isSystemAdministrator: user.isSystemAdministrator,
            permissions: EffectivePermissions.combine(EffectivePermissions.resolve(roleNames: Self.roles(of: user))),
            scope: AccessScope.of(roleNames: Self.roles(of: user)))
        return SessionTokens(
            accessToken: try await tokens.sign(principal), refreshToken: refreshToken,
            expiresIn: Int(tokens.accessTokenLifetime.components.seconds), tokenType: "Bearer")
    }
}
