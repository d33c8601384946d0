import Synchronization

public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let limit: Duration

    public init(limit: Duration) {
        self.limit = limit
    }

    public var description: String { "no answer within \(limit)" }
}

/// Runs `operation` with a time limit and returns when the limit passes even if the operation ignores
/// cancellation (a misconfigured PostgresClient hangs instead of failing), which a task group could not do.
public func withDeadline<T: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let gate = Mutex<CheckedContinuation<T, any Error>?>(nil)
    let resume: @Sendable (Result<T, any Error>) -> Void = { result in
        gate.withLock { continuation in
            continuation?.resume(with: result)
            continuation = nil
        }
    }
    var work: Task<Void, Never>?
    var timer: Task<Void, Never>?
    defer {
        work?.cancel()
        timer?.cancel()
    }
    return try await withCheckedThrowingContinuation { continuation in
        gate.withLock { $0 = continuation }
        work = Task {
            do { resume(.success(try await operation())) } catch { resume(.failure(error)) }
        }
        timer = Task {
            try? await Task.sleep(for: limit)
            resume(.failure(DeadlineExceeded(limit: limit)))
        }
    }
}
