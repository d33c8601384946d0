import Crypto
import Foundation

extension SymmetricKey {
    /// A key of its own for one use of the fleet's token secret (HMAC-SHA256 of `purpose` under the secret), so that
    /// what one use makes says nothing about the secret and is never valid for another use.
    static func derived(from secret: String, purpose: String) -> SymmetricKey {
        SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(purpose.utf8), using: SymmetricKey(data: Data(secret.utf8)))))
    }
}
