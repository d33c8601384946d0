import Synchronization

/// Rung by a ``Database`` after each transaction it commits, so that the one waiting for new rows (the outbox relay)
/// wakes at once instead of at its next poll. Rings while nobody waits are kept as one; one waiter at a time.
public final class CommitBell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns once the bell rings, at once if it rang since the last wait; cancelling the task rings it.
    public func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let rang = state.withLock { state -> Bool in
                    guard !state.rung else {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if rang { continuation.resume() }
            }
        } onCancel: {
            ring()
        }
    }
}
