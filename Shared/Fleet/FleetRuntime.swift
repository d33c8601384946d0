import Contracts
import Database
import EventBus
import Foundation
import Hummingbird
import Logging
import NIOCore
import Outbox
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Everything a fleet service process shares: configuration, logging, the PostgreSQL pool and its schema,
/// the producer and outbox relay, metrics and health. A service adds its routes and consumers and calls `run`.
public struct FleetRuntime: Sendable {
    public let service: ServiceName
    public let configuration: ServiceConfiguration
    public let kafka: KafkaConfiguration
    public let logger: Logger
    public let postgres: PostgresClient
    public let database: Database
    public let outbox: OutboxStore
    public let producer: KafkaProducer
    public let admin: KafkaAdmin
    public let metrics: HTTPMetrics
    public let gate: StartupGate
    /// Tasks and requests run on NIO's event loops (`CONCIERGE_RUN_ON_EVENT_LOOPS`, ``EventLoopThreading``).
    public let onEventLoops: Bool

    public init(service: ServiceName, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try EventLoopThreading.configureLoopCount(EnvironmentReader(environment))
        let configuration = try ServiceConfiguration.fromEnvironment(service: service, environment)
        let onEventLoops = try EventLoopThreading.enabled(configuration.environment)
        if onEventLoops { EventLoopThreading.adoptAsGlobalExecutor() }
        LoggingBootstrap.bootstrap(service: configuration.instance, level: configuration.logLevel)
        var logger = Logger(label: service.rawValue)
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        try LibRdKafka.requireSupportedVersion()
        logger.info("starting", metadata: ["librdkafka": "\(LibRdKafka.versionString)", "port": "\(configuration.port)"])
        let postgres = PostgresClient(
            configuration: try DatabaseURL.configuration(
                configuration.databaseURL, maximumConnections: configuration.databaseMaxConnections,
                minimumConnections: configuration.databaseMinConnections,
                keepAlive: configuration.databaseKeepAliveSeconds > 0 ? .seconds(configuration.databaseKeepAliveSeconds) : nil),
            backgroundLogger: logger)
        let kafka = KafkaConfiguration.fromEnvironment(environment)
        self.service = service
        self.configuration = configuration
        self.kafka = kafka
        self.logger = logger
        self.postgres = postgres
        self.database = try Database(client: postgres, schema: service.schema, logger: logger, committedEvents: CommittedEvents())
        self.outbox = OutboxStore(database: database)
        self.producer = try KafkaProducer(configuration: kafka, logger: logger)
        self.admin = KafkaAdmin(configuration: kafka, logger: logger)
        self.metrics = HTTPMetrics()
        self.gate = StartupGate()
        self.onEventLoops = onEventLoops
    }

    public var readinessChecks: [ReadinessCheck] {
        let database = self.database
        let admin = self.admin
        return [
            ReadinessCheck(name: "database") { try await database.ping() },
            ReadinessCheck(name: "broker") { try await admin.ping(timeout: .seconds(2)) },
        ]
    }

    /// A router with the fleet's middleware (request id, metrics, problem+json) and the health and metrics routes.
    public func makeRouter() -> Router<ServiceRequestContext> {
        ServiceRouter.make(metrics: metrics, checks: readinessChecks)
    }

    public var relaySettings: OutboxRelay.Settings {
        OutboxRelay.Settings(
            pollInterval: .milliseconds(configuration.outboxPollMilliseconds),
            retention: .seconds(configuration.outboxRetentionHours * 3600))
    }

    /// Starts PostgreSQL's pool, migrations (then opens the gate), the producer and relay, the service's own
    /// background services, then HTTP; stops them in reverse on SIGTERM after in-flight requests finished.
    public func run(
        router: Router<ServiceRequestContext>, migrations: [Migration], topics: [String],
        services: [any Service] = []
    ) async throws {
        if let socket = configuration.socketPath {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: socket).deletingLastPathComponent().path, withIntermediateDirectories: true)
        }
        let listeners = [BindAddress.hostname(configuration.host, port: configuration.port)]
            + (configuration.socketPath.map { [BindAddress.unixDomainSocket(path: $0)] } ?? [])
        let apps = listeners.map { application(router: router, address: $0) }
        let startup = StartupService(
            runner: MigrationRunner(database: database, migrations: migrations), admin: admin, topics: topics,
            partitions: Int32(configuration.topicPartitions), gate: gate, logger: logger)
        let relay = OutboxRelay(store: outbox, producer: producer, settings: relaySettings, gate: gate, logger: logger)
        let database = self.database
        let ledgerRetention = TimeInterval(configuration.processedEventsRetentionHours * 3600)
        let ledgerPurge = BatchWorker("processed events purge", every: .seconds(600), gate: gate, logger: logger) {
            try await ProcessedEvents.purge(database, olderThan: Date().addingTimeInterval(-ledgerRetention))
        }
        let executor = await EventLoopThreading.globalExecutor()
        logger.info("tasks run", metadata: ["executor": "\(executor)", "event_loops": "\(EventLoopThreading.loopCount)"])
        try await ServiceRunner.run([postgres, startup, producer, relay, ledgerPurge] + services + apps, logger: logger)
    }

    /// The HTTP server on `address`, answering once the migrations ran: on the service's port, and with
    /// `CONCIERGE_SOCKET_DIR` on its Unix-domain socket too (``LocalSocket``), both with the same routes.
    private func application(router: Router<ServiceRequestContext>, address: BindAddress) -> any Service {
        var app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: TimeAmount.seconds(75)), onEventLoops: onEventLoops),
            configuration: .init(address: address, backlog: 4096),
            logger: logger)
        let gate = self.gate
        app.beforeServerStarts { await gate.wait() }
        return app
    }
}
