import Logging
import ServiceLifecycle

/// A background service that, every `pause`, runs `batch` until it answers 0 (nothing left to do) or shutdown
/// begins. Instances of a service share the work when each batch claims its rows with SKIP LOCKED.
public struct BatchWorker: Service {
    let what: String
    let pause: Duration
    let gate: StartupGate?
    let logger: Logger
    let batch: @Sendable () async throws -> Int

    /// `what` names the work in logs; `batch` does one bounded piece and answers how many items it handled.
    public init(_ what: String, every pause: Duration, gate: StartupGate?, logger: Logger, batch: @escaping @Sendable () async throws -> Int) {
        self.what = what
        self.pause = pause
        self.gate = gate
        self.logger = logger
        self.batch = batch
    }

    public func run() async throws {
        await PollingLoop.run(pause: pause, gate: gate, logger: logger, what: what) {
            while try await batch() > 0 && !Task.isShuttingDownGracefully {}
        }
    }
}
