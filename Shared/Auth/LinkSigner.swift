import Crypto
import Foundation

/// The code a link sent outside carries so that whoever holds the link may open what it names without signing in
/// (a ticket's Validation Hash, in its "View ticket online" link): an HMAC-SHA256 of the link's subject, under a key
/// derived from the fleet's token secret, so every service that shares the secret makes and checks the same codes
/// and no code says anything about the secret.
public struct LinkSigner: Sendable {
    private let key: SymmetricKey

    /// `purpose` separates the keys of different uses of the secret, so that a code made for one is never valid for another.
    public init(secret: String, purpose: String = "concierge link codes") {
        key = .derived(from: secret, purpose: purpose)
    }

    /// The code of `subject`: 32 lower-case hex digits (128 bits).
    public func code(for subject: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(subject.utf8), using: key).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `code` is the code of `subject`, compared in constant time.
    public func verifies(_ code: String, for subject: String) -> Bool {
        let expected = Array(self.code(for: subject).utf8)
        let given = Array(code.lowercased().utf8)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
