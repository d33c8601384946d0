import Contracts
import JWTKit

/// The claims of a Concierge access token: enough for any service to authorize a request without calling identity.
struct AccessTokenClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var iss: IssuerClaim
    var email: String
    var sid: String
    var roles: [String]
    var sysadmin: Bool
    var perm: [String: PermissionClaim]?
    var scope: AccessScope?

    static let issuer = "concierge-identity"

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == Self.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer") }
    }

    var principal: Principal {
        Principal(
            userID: sub.value, email: email, sessionID: sid, roles: roles, isSystemAdministrator: sysadmin,
            permissions: PermissionClaim.decode(perm ?? [:]), scope: scope ?? .none)
    }
}
