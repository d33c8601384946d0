import Logging
import ServiceLifecycle
import UnixSignals

/// Runs a process's services in one group: started in order, stopped in reverse (HTTP first, the database last),
/// on SIGTERM or SIGINT, with bounded shutdown so a service that swallows cancellation cannot hang the process.
public enum ServiceRunner {
    public static func run(_ services: [any Service], logger: Logger) async throws {
        try await makeGroup(services, signals: [.sigterm, .sigint], logger: logger).run()
    }

    public static func makeGroup(_ services: [any Service], signals: [UnixSignal], logger: Logger) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: signals,
            logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(15)
        configuration.maximumCancellationDuration = .seconds(60)
        return ServiceGroup(configuration: configuration)
    }
}
