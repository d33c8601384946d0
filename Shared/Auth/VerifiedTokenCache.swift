import Contracts
import Foundation
import Synchronization

/// Principals of access tokens this process has already verified, until each token's expiry: a console sends the
/// same token with every request, and checking its signature and decoding its claims again cost more than the
/// rest of a small request. Only a token that passed verification enters; an entry past its expiry is never
/// answered (the token is refused as before). Tokens carry no revocation, so a cached answer is exactly the
/// answer verification would give.
///
/// Bounded: at `capacity` entries the expired ones go, and if none had expired, all go.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        var principal: Principal
        var expiresAt: Date
    }

    let capacity: Int
    private let entries = Mutex([String: Entry]())

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The principal of `token` when it was verified before and has not expired at `now`.
    func principal(for token: String, now: Date) -> Principal? {
        guard capacity > 0 else { return nil }
        return entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expiresAt > now else {
                entries[token] = nil
                return nil
            }
            return entry.principal
        }
    }

    func store(_ principal: Principal, for token: String, expiresAt: Date, now: Date) {
        guard capacity > 0, expiresAt > now else { return }
        entries.withLock { entries in
            if entries[token] == nil, entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = Entry(principal: principal, expiresAt: expiresAt)
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
