import Synchronization

/// Spreads requests over a service's instances in turn; lock-free, since it is on every request's path.
public final class RoundRobin<Instance: Sendable>: Sendable {
    public let instances: [Instance]
    private let next = Atomic<Int>(0)

    public init(instances: [Instance]) {
        self.instances = instances
    }

    /// The instances in the order to try them for one request: the next in turn first, then the others.
    public func order() -> [Instance] {
        guard instances.count > 1 else { return instances }
        let start = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return (0..<instances.count).map { instances[(start &+ $0) % instances.count] }
    }
}
