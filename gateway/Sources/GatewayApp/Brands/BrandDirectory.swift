import Contracts
import Synchronization

/// The gateway's map from hostname to brand, kept from identity's snapshot and `brand.*` events.
/// Each brand carries a version, so a replayed or out-of-date event never undoes a newer one.
public final class BrandDirectory: Sendable {
    struct State {
        var brands: [String: BrandSnapshot] = [:]
        var hosts: [String: BrandSnapshot] = [:]
        var loaded = false
    }

    private let state = Mutex(State())

    public init() {}

    /// The brand serving `hostname` (already normalized by the caller).
    public func brand(forHostname hostname: String) -> BrandSnapshot? {
        state.withLock { $0.hosts[hostname] }
    }

    /// Applies a brand's whole state; returns false when the directory already had this version or a newer one.
    @discardableResult
    public func apply(_ snapshot: BrandSnapshot) -> Bool {
        state.withLock { state in
            if let known = state.brands[snapshot.id], known.version >= snapshot.version { return false }
            if let old = state.brands[snapshot.id] {
                for host in old.hostnames where state.hosts[host]?.id == snapshot.id { state.hosts[host] = nil }
            }
            state.brands[snapshot.id] = snapshot
            for host in snapshot.hostnames { state.hosts[host] = snapshot }
            return true
        }
    }

    public func markLoaded() {
        state.withLock { $0.loaded = true }
    }

    public var isLoaded: Bool { state.withLock { $0.loaded } }
    public var count: Int { state.withLock { $0.brands.count } }
}
