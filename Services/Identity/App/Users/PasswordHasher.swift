import HummingbirdBcrypt
import NIOPosix

/// bcrypt on the blocking thread pool: a hash costs tens of milliseconds of CPU, which must not stall the
/// event loops or the cooperative pool.
public struct PasswordHasher: Sendable {
    public let cost: UInt8

    /// A hash of a random password, checked when the email is unknown so both paths take the same time.
    static let decoy = Bcrypt.hash("concierge-decoy-password", cost: 10)

    public init(cost: UInt8 = 10) {
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String?) async throws -> Bool {
        let target = hash ?? Self.decoy
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: target) }
        return matches && hash != nil
    }
}
