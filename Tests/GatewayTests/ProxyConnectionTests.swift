import Contracts
import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import Testing
import TestSupport

@Suite("Requests on one client connection through the proxy", .serialized, .timeLimit(.minutes(1)))
struct ProxyConnectionTests {
    /// A tickets service that echoes what it was sent: method, body, body length and the gateway's headers.
    static func echo(port: Int) -> some ApplicationProtocol {
        let router = Router()
        router.on("/api/v1/tickets/echo/{n}", method: .post) { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            let n = context.parameters.get("n") ?? "?"
            let fields = request.headers
            return "\(n) \(request.method) \(String(buffer: body)) length=\(fields[.contentLength] ?? "-") brand=\(fields[values: .init("X-Concierge-Brand-Id")!].joined()) host=\(fields[values: .init("X-Forwarded-Host")!].joined())"
        }
        router.get("/api/v1/tickets/echo/{n}") { _, context in "\(context.parameters.get("n") ?? "?") GET" }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    /// Writes `text` on one new connection to `port` and returns all the server wrote back until it closed it.
    static func exchange(port: Int, _ text: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            var received = ""
            for try await part in inbound { received += String(buffer: part) }
            return received
        }
    }

    /// The bodies of the answers in `text`, in order (each answer has a Content-Length).
    static func bodies(_ text: String) -> [String] {
        var bodies: [String] = []
        var rest = Substring(text)
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let head = rest[..<headEnd.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            let body = rest[headEnd.upperBound...].prefix(length)
            bodies.append(String(body))
            rest = rest[headEnd.upperBound...].dropFirst(length)
        }
        return bodies
    }

    @Test("Pipelined requests, forwarded and the gateway's own, are answered in the order they were sent, bodies and headers intact")
    func pipelinedInOrder() async throws {
        try await withGateway(for: .tickets, upstream: Self.echo(port:)) { gatewayPort, _ in
            let requests = [
                "POST /api/v1/tickets/echo/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello",
                "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n",
                "POST /api/v1/tickets/echo/2 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                "GET /api/v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                "GET /api/v1/tickets/echo/3 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            ]
            let answers = try await Self.exchange(port: gatewayPort, requests.joined())
            let bodies = Self.bodies(answers)
            try #require(bodies.count == 5, "answers: \(answers)")
            #expect(bodies[0] == "1 POST hello length=5 brand=brand-1 host=127.0.0.1")
            #expect(bodies[1].contains("\"status\""))
            #expect(bodies[2] == "2 POST abcde length=5 brand=brand-1 host=127.0.0.1")
            #expect(bodies[3].contains("No such API"))
            #expect(bodies[4] == "3 GET")
            #expect(answers.lowercased().components(separatedBy: "x-request-id:").count - 1 == 5, "every answer names its request")
        }
    }

    @Test("The gateway's health and metrics answer its own address, localhost and listed operator names; a brand's hostname or a made-up one a 404")
    func operatorRoutesNotOnBrandHosts() async throws {
        try await withGateway(
            for: .tickets, upstream: Self.echo(port:), environment: ["CONCIERGE_GATEWAY_OPERATOR_HOSTS": "gateway.ops.internal"]
        ) { gatewayPort, _ in
            for path in ["/metrics", "/health/live"] {
                for host in ["localhost", "10.1.2.3:8080", "[fd00::1]:8080", "gateway.ops.internal"] {
                    let own = try await Self.exchange(port: gatewayPort, "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
                    #expect(own.hasPrefix("HTTP/1.1 200"), "\(path) \(host): \(own)")
                }
                for host in ["127.0.0.1", "anything.example", "localhost.example"] {
                    let refused = try await Self.exchange(port: gatewayPort, "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
                    #expect(refused.hasPrefix("HTTP/1.1 404"), "\(path) \(host): \(refused)")
                    #expect(refused.lowercased().contains("content-type: application/problem+json"))
                }
            }
        }
    }

    @Test("A body over the limit is refused with 413 problem+json and the connection closed, without reaching the service")
    func oversizeBody() async throws {
        try await withGateway(for: .tickets, upstream: Self.echo(port:), environment: ["CONCIERGE_GATEWAY_MAX_BODY_BYTES": "10"]) { gatewayPort, _ in
            let request = "POST /api/v1/tickets/echo/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 20\r\n\r\n01234567890123456789"
                + "GET /api/v1/tickets/echo/2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            let answers = try await Self.exchange(port: gatewayPort, request)
            #expect(answers.hasPrefix("HTTP/1.1 413"))
            #expect(answers.lowercased().contains("content-type: application/problem+json"))
            #expect(!answers.contains("POST"), "the service saw the request")
            #expect(Self.bodies(answers).count == 1)
        }
    }

    @Test("An instance that refuses connections is skipped for the next")
    func skipsRefusingInstance() async throws {
        let dead = FreePort.next()
        try await withGateway(for: .tickets, upstream: Self.echo(port:), deadInstances: [dead]) { gatewayPort, _ in
            for n in 1...4 {
                let answers = try await Self.exchange(
                    port: gatewayPort, "GET /api/v1/tickets/echo/\(n) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                #expect(answers.hasPrefix("HTTP/1.1 200"))
                #expect(Self.bodies(answers) == ["\(n) GET"])
            }
        }
    }
}
