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
/// first in turn that answers the handshake 101 (``WebSocketHandshakeProbe``), checked before the client hears 101;
/// anything else is not upgraded and gets a problem answer (404 unknown host or a path the service serves no
/// WebSocket at, 503 no instance reachable, and so on).
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

    /// Where a WebSocket handshake for `path` goes: the first of `instances` that answers it 101 (``WebSocketHandshakeProbe``);
    /// a client error (4xx) is the answer, a server error (5xx: an instance shutting down, say) tries the next; else the
    /// problem of the first refusal, or nil when none could be reached.
    static func firstAccepting(
        _ instances: [UpstreamAddress], path: String, headers: HTTPFields, service: ServiceName, on eventLoop: any EventLoop, logger: Logger
    ) async -> Result<UpstreamAddress, Problem>? {
        var refused: Problem?
        for instance in instances {
            do {
                let status = try await WebSocketHandshakeProbe.status(of: instance, path: path, headers: headers, on: eventLoop)
                if status == 101 { return .success(instance) }
                if status < 500 { return .failure(refusal(status, service: service)) }
                refused = refused ?? refusal(status, service: service)
            } catch {
                logger.warning("websocket upstream unreachable", metadata: ["upstream": "\(instance)", "error": "\(error)"])
            }
        }
        return refused.map { .failure($0) }
    }

    /// The problem a client hears for an instance's refusal of the handshake: a 404 for a handshake declined (400, 404),
    /// the instance's own status for another client error, a 502 for a server error.
    static func refusal(_ status: Int, service: ServiceName) -> Problem {
        switch status {
        case 401: Problem.unauthorized("Sign in to open this WebSocket.")
        case 403: Problem.forbidden("This WebSocket is not open to you.")
        // Hummingbird answers a handshake it declines with a 400: no WebSocket is served there.
        case 400, 404: Problem.notFound("The \(service.rawValue) service serves no WebSocket here.")
        case 400..<500:
            Problem(
                status: HTTPResponse.Status(code: status), type: Problem.typeBase + "websocket-refused", title: "WebSocket refused",
                detail: "The \(service.rawValue) service refused the WebSocket (\(status)).")
        default: ProxyHandler.badGateway(service)
        }
    }

    static let handshakeHeaders: Set<String> = ["sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept"]

    public func shouldUpgrade(
        _ request: HTTPRequest, channel: any Channel, logger: Logger
    ) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let requestID = RequestIDMiddleware<GatewayContext>.make()
        let path = ProxyDecision.encodedTarget(request.path ?? "/")
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
        var client = request.headerFields
        client.removeAll { Self.handshakeHeaders.contains($0.name.canonicalName) }
        let headers = ForwardedHeaders.upstream(
            from: client, brandID: brandID, requestID: requestID, clientAddress: channel.remoteAddress?.ipAddress, host: host,
            scheme: publicScheme)
        let instance: UpstreamAddress
        switch await Self.firstAccepting(pools[service]?.order() ?? [], path: path, headers: headers, service: service, on: channel.eventLoop, logger: logger) {
        case .success(let accepting): instance = accepting
        case .failure(let problem): return await refuse(problem)
        case nil: return await refuse(Problem.unavailable("The \(service.rawValue) service is not running."))
        }
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
