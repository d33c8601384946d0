import Logging
import ServiceLifecycle

/// A background worker's loop: after the startup gate opens, runs `round` again and again, `pause` apart, until
/// shutdown; a failed round is logged and the next one tried. A round that fails while the service is stopping (its
/// connection closed under it) ends the loop and is logged as a notice, not an error. Graceful shutdown cuts the
/// pause short, so a worker with a long pause does not hold its process up until the group cancels it.
public enum PollingLoop {
    public static func run(
        pause: Duration, gate: StartupGate?, logger: Logger, what: String, _ round: () async throws -> Void
    ) async {
        await gate?.wait()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await round()
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully {
                    logger.notice("\(what) stopped with the service", metadata: ["error": "\(String(reflecting: error))"])
                    return
                }
                logger.error("\(what) failed; retrying next round", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }
}
