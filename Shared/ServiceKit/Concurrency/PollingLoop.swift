import Logging
import ServiceLifecycle

/// A background worker's loop: after the startup gate opens, runs `round` again and again, `pause` apart, until
/// shutdown; a failed round is logged and the next one tried.
public enum PollingLoop {
    public static func run(
        pause: Duration, gate: StartupGate?, logger: Logger, what: String, _ round: () async throws -> Void
    ) async {
        await gate?.wait()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await round()
            } catch {
                logger.error("\(what) failed; retrying next round", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: pause)
        }
    }
}
