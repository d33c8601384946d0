import Auth
import Foundation
import Testing

@Suite("Secrets sealed for the other services")
struct SecretSealTests {
    let seal = SecretSeal(secret: "a secret of at least thirty-two bytes, for tests")
    let secret = "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe"

    @Test("A sealed secret does not show the secret, differs each time, and opens to it with the same token secret")
    func roundTrip() throws {
        let first = try seal.seal(secret), second = try seal.seal(secret)
        #expect(first.hasPrefix(SecretSeal.prefix) && !first.contains(secret))
        #expect(first != second, "a fresh nonce each time")
        #expect(try seal.open(first) == secret && seal.open(second) == secret)
    }

    @Test("Another token secret, or a changed character, cannot open it")
    func otherSecretOrDamage() throws {
        let sealed = try seal.seal(secret)
        #expect(throws: SecretSealError.unreadable) { try SecretSeal(secret: String(repeating: "k", count: 40)).open(sealed) }
        var damaged = Array(sealed)
        let last = damaged.count - 3
        damaged[last] = damaged[last] == "A" ? "B" : "A"
        #expect(throws: SecretSealError.unreadable) { try seal.open(String(damaged)) }
        #expect(throws: SecretSealError.unreadable) { try seal.open(SecretSeal.prefix + "not base64!") }
    }

    @Test("An empty secret stays empty, and one announced before sealing reads as it is")
    func emptyAndUnsealed() throws {
        #expect(try seal.seal("") == "")
        #expect(try seal.open("") == "")
        #expect(try seal.open(secret) == secret)
    }
}
