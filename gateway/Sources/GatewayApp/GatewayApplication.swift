import AsyncHTTPClient
import Contracts
import EventBus
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceKit
import ServiceLifecycle

/// The single ingress: brand by Host header, forwarding to the services (``ProxyHandler``, in each connection's
/// pipeline), WebSockets bridged (``WebSocketProxy``), its own health and metrics (the router).
public struct GatewayApplication: Sendable {
    public let configuration: GatewayConfiguration
    public let directory: BrandDirectory
    public let metrics: HTTPMetrics
    /// For the brand snapshot only; API requests go over ``connections``.
    public let client: HTTPClient
    public let connections: UpstreamConnectionPool
    let logger: Logger

    public init(configuration: GatewayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.directory = BrandDirectory()
        self.metrics = HTTPMetrics()
        var clientConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(2)), decompression: .disabled)
        clientConfiguration.httpVersion = .http1Only
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        self.connections = UpstreamConnectionPool()
    }

    public func makeRouter() -> Router<GatewayContext> {
        let router = Router(context: GatewayContext.self)
        router.add(middleware: AccessLogMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: OperatorHostsMiddleware(directory: directory, operatorHosts: configuration.operatorHosts))
        let directory = self.directory
        let admin = KafkaAdmin(configuration: configuration.kafka, logger: logger)
        HealthRoutes.add(to: router, checks: [
            ReadinessCheck(name: "brand directory") {
                guard directory.isLoaded else { throw Problem.unavailable("identity's brand snapshot is not loaded yet") }
            },
            ReadinessCheck(name: "broker") { try await admin.ping(timeout: .seconds(2)) },
        ], metrics: metrics)
        return router
    }

    public func makeApplication() -> some ApplicationProtocol {
        let onEventLoops = configuration.onEventLoops
        let idleTimeout = configuration.clientTimeouts.idle
        let forwarding = Forwarding(
            directory: directory, upstreams: configuration.upstreams, connections: connections, timeout: configuration.upstreamTimeout,
            maximumBody: configuration.maximumRequestBody, publicScheme: configuration.publicScheme, clientTimeouts: configuration.clientTimeouts,
            metrics: metrics, logger: logger)
        let webSockets = WebSocketProxy(directory: directory, upstreams: configuration.upstreams, publicScheme: configuration.publicScheme)
        return Application(
            router: makeRouter(),
            server: HTTPServerBuilder { responder in
                let channel = HTTP1WebSocketUpgradeChannel(
                    responder: responder,
                    configuration: .init(http1: .init(additionalChannelHandlers: [forwarding.makeHandler()]), ws: .init(maxFrameSize: 1 << 20, validateUTF8: true))
                ) { request, channel, logger in
                    await webSockets.shouldUpgrade(request, channel: channel, logger: logger)
                }
                let guarded = FirstRequestGuardedChannel(inner: channel, timeout: idleTimeout)
                return onEventLoops ? EventLoopAffineChannel(guarded) : guarded
            },
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), backlog: 4096),
            logger: logger)
    }

    public var directorySync: BrandDirectorySync {
        BrandDirectorySync(
            directory: directory, client: client, identityURLs: (configuration.upstreams[.identity] ?? []).map(\.description),
            kafka: configuration.kafka, instance: configuration.instance, logger: logger)
    }

    /// Runs until SIGTERM/SIGINT: the HTTP server stops first, then the directory sync, then the client.
    public func run() async throws {
        let executor = await EventLoopThreading.globalExecutor()
        logger.info("tasks run", metadata: ["executor": "\(executor)", "event_loops": "\(EventLoopThreading.loopCount)"])
        try await ServiceRunner.run([HTTPClientService(client: client, connections: connections), directorySync, makeApplication()], logger: logger)
    }
}
