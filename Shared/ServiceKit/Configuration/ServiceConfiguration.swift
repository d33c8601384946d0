import Contracts
import Foundation

/// What every process of the fleet reads from its environment, documented in README.md.
public struct ServiceConfiguration: Sendable {
    public var serviceName: String
    public var instance: String
    public var host: String
    public var port: Int
    /// A Unix-domain socket the process listens on besides its port (``LocalSocket``), for the gateway on this host.
    public var socketPath: String?
    public var databaseURL: String
    public var databaseMaxConnections: Int
    public var databaseMinConnections: Int
    /// Seconds between pings of an idle database connection; 0 never pings.
    public var databaseKeepAliveSeconds: Int
    public var dataDirectory: String
    public var logLevel: String
    public var outboxRetentionHours: Int
    /// How long consumers remember the events they processed; never shorter than the outbox's retention.
    public var processedEventsRetentionHours: Int
    public var outboxPollMilliseconds: Int
    public var topicPartitions: Int
    public var environment: EnvironmentReader

    public static let defaultDatabaseURL = "postgres://concierge:concierge@127.0.0.1:55432/concierge"

    /// Reads `CONCIERGE_*` variables; the port is `CONCIERGE_<SERVICE>_PORT`, else `CONCIERGE_PORT`, else the default.
    public static func fromEnvironment(
        serviceName: String, defaultPort: Int, portVariable: String,
        _ values: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServiceConfiguration {
        let environment = EnvironmentReader(values)
        let port = try environment.int(portVariable, default: try environment.int("CONCIERGE_PORT", default: defaultPort))
        let instance = environment.string("CONCIERGE_INSTANCE", default: "\(serviceName)-\(port)")
        let maxConnections = try environment.int("CONCIERGE_DATABASE_MAX_CONNECTIONS", default: 10)
        let outboxRetention = try environment.int("CONCIERGE_OUTBOX_RETENTION_HOURS", default: 168)
        let ledgerRetention = try environment.int("CONCIERGE_PROCESSED_EVENTS_RETENTION_HOURS", default: max(720, outboxRetention))
        // A replay publishes events up to the outbox's retention again, and the broker redelivers what a consumer had not
        // committed before it stopped: a consumer that forgot them would apply them twice.
        guard ledgerRetention >= max(outboxRetention, 24), ledgerRetention <= 876_000 else {
            throw ConfigurationError(
                variable: "CONCIERGE_PROCESSED_EVENTS_RETENTION_HOURS", value: String(ledgerRetention),
                expected: "hours, at least 24 and at least CONCIERGE_OUTBOX_RETENTION_HOURS (\(outboxRetention)), at most 876000")
        }
        return ServiceConfiguration(
            serviceName: serviceName,
            instance: instance,
            host: environment.string("CONCIERGE_HTTP_HOST", default: "127.0.0.1"),
            port: port,
            socketPath: LocalSocket.path(directory: environment.values[LocalSocket.directoryVariable], port: port),
            databaseURL: environment.string("CONCIERGE_DATABASE_URL", default: defaultDatabaseURL),
            databaseMaxConnections: maxConnections,
            databaseMinConnections: try environment.int("CONCIERGE_DATABASE_MIN_CONNECTIONS", default: maxConnections),
            databaseKeepAliveSeconds: try environment.int("CONCIERGE_DATABASE_KEEPALIVE_SECONDS", default: 0),
            dataDirectory: environment.string("CONCIERGE_DATA_DIR", default: ".run/data/\(instance)"),
            logLevel: environment.string("CONCIERGE_LOG_LEVEL", default: "info"),
            outboxRetentionHours: outboxRetention,
            processedEventsRetentionHours: ledgerRetention,
            outboxPollMilliseconds: try environment.int("CONCIERGE_OUTBOX_POLL_MS", default: 100),
            topicPartitions: try environment.int("CONCIERGE_TOPIC_PARTITIONS", default: 4),
            environment: environment)
    }

    public static func fromEnvironment(
        service: ServiceName, _ values: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServiceConfiguration {
        try fromEnvironment(
            serviceName: service.rawValue, defaultPort: service.defaultPort,
            portVariable: service.environmentPrefix + "PORT", values)
    }
}
