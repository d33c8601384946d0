import Database
import EventBus
import Logging
import ServiceKit
import ServiceLifecycle

/// Applies migrations (retrying while PostgreSQL is not up yet), opens the gate, and creates the service's topics
/// in the background so a broker outage at start-up does not keep the service from taking writes.
struct StartupService: Service {
    let runner: MigrationRunner
    let admin: KafkaAdmin
    let topics: [String]
    let partitions: Int32
    let gate: StartupGate
    let logger: Logger

    func run() async throws {
        var attempt = 0
        while true {
            do {
                _ = try await withDeadline(.seconds(30)) { try await runner.run() }
                break
            } catch {
                attempt += 1
                if attempt >= 30 || Task.isShuttingDownGracefully { throw error }
                logger.warning("migrations not applied yet; retrying", metadata: ["error": "\(String(reflecting: error))"])
                try await Task.sleep(for: .seconds(1))
            }
        }
        gate.open()
        while !topics.isEmpty && !Task.isShuttingDownGracefully {
            do {
                try await admin.createTopics(topics, partitions: partitions)
                break
            } catch {
                logger.warning("topics not created yet; retrying", metadata: ["error": "\(error)"])
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
            }
        }
        try? await gracefulShutdown()
    }
}
