import Crypto
import Foundation

/// Seals a secret that one service hands to the others in an event (Google reCAPTCHA's secret key, announced by
/// identity on `identity.events`), so that neither the broker nor the copies the services keep of the event hold it
/// readable: AES-GCM under a key derived from the fleet's token secret, which every service has and the broker does not.
public struct SecretSeal: Sendable {
    /// What a sealed text starts with; the rest is the sealed box (nonce, ciphertext and tag) in base64.
    public static let prefix = "sealed:v1:"

    private let key: SymmetricKey

    public init(secret: String, purpose: String = "concierge sealed secrets") {
        key = .derived(from: secret, purpose: purpose)
    }

    /// `text` sealed, with a fresh nonce each time; an empty text stays empty ("not set" is no secret).
    public func seal(_ text: String) throws -> String {
        guard !text.isEmpty else { return text }
        guard let combined = try AES.GCM.seal(Data(text.utf8), using: key).combined else { throw SecretSealError.unreadable }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The text `sealed` holds. A text without ``prefix`` was announced before secrets were sealed and is returned as
    /// it is; a sealed one that this secret cannot open (another token secret, a damaged text) throws.
    public func open(_ sealed: String) throws -> String {
        guard sealed.hasPrefix(Self.prefix) else { return sealed }
        guard let combined = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))) else { throw SecretSealError.unreadable }
        do {
            let opened = try AES.GCM.open(try AES.GCM.SealedBox(combined: combined), using: key)
            return String(decoding: opened, as: UTF8.self)
        } catch {
            throw SecretSealError.unreadable
        }
    }
}

public enum SecretSealError: Error, Equatable {
    /// Not sealed by a service with this token secret, or damaged on the way.
    case unreadable
}
