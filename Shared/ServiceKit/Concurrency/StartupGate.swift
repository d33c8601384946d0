import Synchronization

/// A one-shot latch: services that need the schema (the relay, consumers, HTTP) wait here until migrations ran.
public final class StartupGate: Sendable {
    private enum State {
        case closed([CheckedContinuation<Void, Never>])
        case open
    }

    private let state = Mutex(State.closed([]))

    public init() {}

    public func open() {
        let waiting: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard case .closed(let waiting) = state else { return [] }
            state = .open
            return waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    public var isOpen: Bool {
        state.withLock { if case .open = $0 { true } else { false } }
    }

    public func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow: Bool = state.withLock { state in
                switch state {
                case .open: return true
                case .closed(var waiting):
                    waiting.append(continuation)
                    state = .closed(waiting)
                    return false
                }
            }
            if resumeNow { continuation.resume() }
        }
    }
}
