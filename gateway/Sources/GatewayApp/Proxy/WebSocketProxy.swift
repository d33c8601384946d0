import Contracts
import HTTPTypes
import HummingbirdWSClient
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import ServiceKit

/// Upgrades `/api/v1/<service>/…` WebSocket requests of a known brand and bridges them to an instance of that
/// service, frame by frame in both directions, with the same internal headers as proxied HTTP. The instance is the
/// first in turn that accepts a connection, checked before the client hears 101; anything else is not upgraded and
/// gets the proxy's ordinary HTTP answer (404 unknown host, 503 no instance reachable, and so on: ``ProxyHandler``).
public struct WebSocketProxy: Sendable {
    let directory: BrandDirectory
    let pools: [ServiceName: RoundRobin<UpstreamAddress>]
    let maximumMessage: Int
    let publicScheme: String

    public init(directory: BrandDirectory, upstreams: [ServiceName: [UpstreamAddress]], publicScheme: String, maximumMessage: Int = 1 << 20) {
        self.directory = directory
        self.publicScheme = publicScheme
        self.pools = upstreams.mapValues(RoundRobin.init(instances:))
        self.maximumMessage = maximumMessage
    }

    /// The first of `instances` that accepts a TCP connection (closed again at once).
    static func firstReachable(_ instances: [UpstreamAddress], on eventLoop: any EventLoop, logger: Logger) async -> UpstreamAddress? {
        for instance in instances {
            do {
                let probe = try await ClientBootstrap(group: eventLoop).connectTimeout(.seconds(2))
                    .connect(host: instance.host, port: instance.port).get()
                probe.close(promise: nil)
                return instance
            } catch {
                logger.warning("websocket upstream unreachable", metadata: ["upstream": "\(instance)", "error": "\(error)"])
            }
        }
        return nil
    }

    static let handshakeHeaders: Set<String> = ["sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept"]

    public func shouldUpgrade(
        _ request: HTTPRequest, channel: any Channel, logger: Logger
    ) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let requestID = RequestIDMiddleware<GatewayContext>.make()
        let path = request.path ?? "/"
        let decision = ProxyDecision.decide(
            path: path, authority: request.authority, extraHosts: request.headerFields[values: ProxyDecision.hostField].count,
            directory: directory, services: Set(pools.keys))
        func refuse(_ problem: Problem) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
            logger.info(
                "websocket refused",
                metadata: ["request_id": .string(requestID), "path": .string(String(path.prefix { $0 != "?" })), "status": .stringConvertible(problem.status.code)])
            return await RefusedUpgrade.mark(channel, problem, requestID: requestID)
        }
        let service: ServiceName, brandID: String, host: String
        switch decision {
        case .ownRoutes: return await refuse(Problem.notFound("No WebSocket is served here."))
        case .refuse(let problem): return await refuse(problem)
        case .forward(let to, let brand, let named): (service, brandID, host) = (to, brand, named)
        }
        guard let instance = await Self.firstReachable(pools[service]?.order() ?? [], on: channel.eventLoop, logger: logger) else {
            return await refuse(Problem.unavailable("The \(service.rawValue) service is not running."))
        }
        var client = request.headerFields
        client.removeAll { Self.handshakeHeaders.contains($0.name.canonicalName) }
        let headers = ForwardedHeaders.upstream(
            from: client, brandID: brandID, requestID: requestID, clientAddress: channel.remoteAddress?.ipAddress, host: host,
            scheme: publicScheme)
        let url = "ws://\(instance.authority)\(path)"
        let maximumMessage = self.maximumMessage
        var logger = logger
        logger[metadataKey: "request_id"] = .string(requestID)
        return .upgrade([:]) { [logger] inbound, outbound, _ in
            logger.info("websocket opened", metadata: ["upstream": .string(url)])
            try await WebSocketClient.connect(
                url: url,
                configuration: .init(maxFrameSize: maximumMessage, additionalHeaders: headers, validateUTF8: true),
                logger: logger
            ) { upstreamInbound, upstreamOutbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: maximumMessage) { try await upstreamOutbound.forward(message) }
                        try await upstreamOutbound.close(.normalClosure, reason: nil)
                    }
                    group.addTask {
                        for try await message in upstreamInbound.messages(maxSize: maximumMessage) { try await outbound.forward(message) }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
            logger.info("websocket closed")
        }
    }
}

extension WebSocketOutboundWriter {
    func forward(_ message: WebSocketMessage) async throws {
        switch message {
        case .text(let text): try await write(.text(text))
        case .binary(let bytes): try await write(.binary(bytes))
        }
    }
}
