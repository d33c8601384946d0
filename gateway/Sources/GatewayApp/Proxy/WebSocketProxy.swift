import Contracts
import HTTPTypes
import HummingbirdWSClient
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ServiceKit

/// Upgrades `/api/v1/<service>/…` WebSocket requests of a known brand and bridges them to an instance of that
/// service, frame by frame in both directions, with the same internal headers as proxied HTTP. Anything else is
/// not upgraded and gets the ordinary HTTP answer (404 unknown host, and so on).
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

    static let handshakeHeaders: Set<String> = ["sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-accept"]

    public func shouldUpgrade(
        _ request: HTTPRequest, channel: any Channel, logger: Logger
    ) -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard let path = request.path, case .service(let service) = ServiceRoute.match(path: path),
            let instance = pools[service]?.order().first, let host = HostHeader.hostname(request.authority),
            let brand = directory.brand(forHostname: host)
        else { return .dontUpgrade }
        var client = request.headerFields
        client.removeAll { Self.handshakeHeaders.contains($0.name.canonicalName) }
        let requestID = RequestIDMiddleware<GatewayContext>.make()
        let headers = ForwardedHeaders.upstream(
            from: client, brandID: brand.id, requestID: requestID, clientAddress: channel.remoteAddress?.ipAddress, host: host,
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
