import Contracts
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Testing
import TestSupport

/// An instance that answers the first request of each connection and closes the connection on the second, as an
/// instance does that restarts while the gateway keeps a connection to it.
struct OncePerConnectionServer: Service {
    let port: Int

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private var requests = 0

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            requests += 1
            guard requests == 1 else { return context.close(promise: nil) }
            let body = ByteBuffer(string: "first on its connection")
            let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-length": "\(body.readableBytes)"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    func run() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler())
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        try? await gracefulShutdown()
        try await channel.close()
    }
}

@Suite("Kept upstream connections closed under the proxy", .serialized, .timeLimit(.minutes(1)))
struct StaleUpstreamConnectionTests {
    static func twoRequests(_ method: String, gatewayPort: Int) async throws -> String {
        let body = method == "GET" ? "" : "Content-Length: 2\r\n\r\nhi"
        let head = method == "GET" ? "\r\n" : ""
        let request = "\(method) /api/v1/tickets/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\(head)\(body)"
        let last = "\(method) /api/v1/tickets/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\(head)\(body)"
        return try await ProxyConnectionTests.exchange(port: gatewayPort, request + last)
    }

    @Test("A GET whose kept connection the instance closed is sent again on a new one; a POST is not, and answers 502")
    func resendsOnlySafeRequests() async throws {
        try await withGateway(for: .tickets, upstream: OncePerConnectionServer.init(port:)) { gatewayPort, _ in
            let gets = try await Self.twoRequests("GET", gatewayPort: gatewayPort)
            #expect(ProxyConnectionTests.bodies(gets) == ["first on its connection", "first on its connection"], "answers: \(gets)")
            // The POSTs' client connection may share the GETs' event loop (and take its kept connection first) or not:
            // either way one POST goes out on a kept connection that closes (502) and the other on a new one (200).
            let posts = try await Self.twoRequests("POST", gatewayPort: gatewayPort)
            #expect(posts.components(separatedBy: "HTTP/1.1 200").count - 1 == 1, "answers: \(posts)")
            #expect(posts.components(separatedBy: "HTTP/1.1 502").count - 1 == 1, "answers: \(posts)")
        }
    }
}
