import Synchronization

/// What a ``ChangeListener`` tells: that the tables behind a cache changed, and whether it is listening at all.
public protocol ChangeNotified: Sendable {
    /// A notification arrived: what was read before may be stale.
    func changed()
    /// A notification arrived with a payload (what changed, if the cache reads it).
    func changed(payload: String)
    /// The listener started (`true`) or stopped (`false`) receiving notifications.
    func listening(_ listening: Bool)
}

extension ChangeNotified {
    public func changed(payload: String) { changed() }
}

/// Values read from PostgreSQL and kept until a ``ChangeListener`` reports that the tables behind them changed.
/// It keeps values only while its listener is connected, and never keeps one whose read overlapped a
/// notification, so a value it answers is as fresh as the last notification this process received.
public final class NotifiedCache<Key: Hashable & Sendable, Value: Sendable>: ChangeNotified {
    private struct State {
        var entries: [Key: Value] = [:]
        /// Moves on every notification and every change of `listening`; a read keeps its value only if it did not move.
        var generation = 0
        var listening = false
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// At most `capacity` values are kept; past that the cache starts over.
    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The cached value for `key`, or what `load` reads (kept when nothing changed meanwhile).
    public func value(for key: Key, load: () async throws -> Value) async throws -> Value {
        let (cached, generation) = state.withLock { ($0.entries[key], $0.generation) }
        if let cached { return cached }
        let value = try await load()
        state.withLock { state in
            guard state.listening, state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = value
        }
        return value
    }

    public func changed() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }

    public func listening(_ listening: Bool) {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
            state.listening = listening
        }
    }

    /// How many values are kept (for tests).
    public var count: Int { state.withLock { $0.entries.count } }
}
