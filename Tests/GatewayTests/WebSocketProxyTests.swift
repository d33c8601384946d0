import AsyncHTTPClient
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWSClient
import HummingbirdWebSocket
import NIOWebSocket
import ServiceKit
import Synchronization
import Testing
import TestSupport

@Suite("WebSocket proxy", .serialized, .timeLimit(.minutes(1)))
struct WebSocketProxyTests {
    actor Received {
        var texts: [String] = []
        func add(_ text: String) -> Int {
            texts.append(text)
            return texts.count
        }
    }

    /// A service that greets with the brand header the gateway gave it, then echoes text frames; it serves no WebSocket
    /// at `/api/v1/livechat/nowhere`.
    static func echoService(port: Int) -> some ApplicationProtocol {
        Application(
            router: Router(),
            server: .http1WebSocketUpgrade { request, _, _ in
                guard request.path != "/api/v1/livechat/nowhere" else { return .dontUpgrade }
                let brand = request.headerFields[HTTPField.Name("X-Concierge-Brand-Id")!] ?? "none"
                return .upgrade([:]) { inbound, outbound, _ in
                    try await outbound.write(.text("brand:\(brand)"))
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        if case .text(let text) = message { try await outbound.write(.text("echo:\(text)")) }
                    }
                }
            },
            configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    @Test("A WebSocket to /api/v1/<service>/… of a known host is bridged both ways with the gateway's brand header; an unknown host is not upgraded")
    func bridged() async throws {
        try await withGateway(for: .livechat, upstream: Self.echoService(port:)) { gatewayPort, logger in
            let received = Received()
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(gatewayPort)/api/v1/livechat/socket", logger: logger) { inbound, outbound, _ in
                try await outbound.write(.text("hello"))
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = message else { continue }
                    if await received.add(text) == 2 { break }
                }
                try await outbound.close(.normalClosure, reason: nil)
            }
            #expect(await received.texts == ["brand:brand-1", "echo:hello"])
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(url: "ws://localhost:\(gatewayPort)/api/v1/livechat/socket", logger: logger) { _, _, _ in }
            }
        }
    }

    /// An upgrade request for `path` with `host`, on a raw connection: what the gateway wrote back until it closed.
    static func rawUpgrade(port: Int, path: String, host: String = "127.0.0.1") async throws -> String {
        try await RawConnection.with(port: port) { connection in
            try await connection.send("""
                GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n
                """)
            try await connection.readToEnd()
            return connection.received
        }
    }

    /// The machine's TCP connections with an end at `port` that are open or half-closed (not listening, not in
    /// TIME-WAIT), from /proc/net/tcp.
    static func connections(at port: Int) -> Int {
        let hexPort = ":" + String(format: "%04X", port)
        return ["/proc/net/tcp", "/proc/net/tcp6"].reduce(0) { count, table in
            let lines = ((try? String(contentsOfFile: table, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
            return count + lines.filter { line in
                let fields = line.split(separator: " ")
                guard fields.count > 3 else { return false }
                return (fields[1].hasSuffix(hexPort) || fields[2].hasSuffix(hexPort)) && fields[3] != "0A" && fields[3] != "06"
            }.count
        }
    }

    @Test("A WebSocket to a path its service serves none at is a 404 problem, not a 101, and leaves no connection to the service open")
    func refusedPath() async throws {
        let upstreamPort = Mutex(0)
        try await withGateway(for: .livechat, upstream: { port in
            upstreamPort.withLock { $0 = port }
            return Self.echoService(port: port)
        }) { gatewayPort, _ in
            let service = upstreamPort.withLock { $0 }
            for _ in 1...30 {
                let answer = try await Self.rawUpgrade(port: gatewayPort, path: "/api/v1/livechat/nowhere")
                #expect(answer.hasPrefix("HTTP/1.1 404") && answer.lowercased().contains("content-type: application/problem+json"), "answer: \(answer)")
            }
            let waited = ContinuousClock.now
            while Self.connections(at: service) > 4, ContinuousClock.now - waited < .seconds(15) { try await Task.sleep(for: .milliseconds(200)) }
            #expect(Self.connections(at: service) <= 4, "refused handshakes hold no connections to the service")
        }
    }

    @Test("A first request asking for another upgrade (h2c, a WebSocket without its key, one with a body) is answered as plain HTTP")
    func otherUpgradesArePlainRequests() async throws {
        try await withGateway(for: .livechat, upstream: Self.echoService(port:)) { gatewayPort, _ in
            let heads = [
                "GET /api/v1/livechat/socket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
                "GET /api/v1/livechat/socket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n",
                "POST /api/v1/livechat/socket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 5\r\n\r\nhello",
            ]
            for head in heads {
                let started = ContinuousClock.now
                let answer = try await RawConnection.with(port: gatewayPort) { connection in
                    try await connection.send(head)
                    _ = try await connection.read(until: "\r\n\r\n")
                    return connection.received
                }
                #expect(answer.hasPrefix("HTTP/1.1 404"), "the service's own answer to the plain request: \(answer)")
                #expect(!answer.lowercased().contains("application/problem+json"), "not a refusal of the gateway's: \(answer)")
                #expect(ContinuousClock.now - started < .seconds(5))
            }
        }
    }

    @Test("A WebSocket goes to a reachable instance, skipping one that refuses; one refused gets one problem answer: 503 none reachable, 404 unknown host or path")
    func unreachableInstances() async throws {
        let dead = FreePort.next()
        try await withGateway(
            for: .livechat, upstream: Self.echoService(port:), deadInstances: [dead],
            environment: [ServiceName.tickets.environmentPrefix + "URLS": "http://127.0.0.1:\(FreePort.next())"]
        ) { gatewayPort, logger in
            for _ in 1...2 {
                let received = Received()
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(gatewayPort)/api/v1/livechat/socket", logger: logger) { inbound, outbound, _ in
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        if case .text(let text) = message, await received.add(text) == 1 { break }
                    }
                    try await outbound.close(.normalClosure, reason: nil)
                }
                #expect(await received.texts == ["brand:brand-1"])
            }
            for (path, host, status) in [
                ("/api/v1/tickets/socket", "127.0.0.1", "503"), ("/api/v1/livechat/socket", "nowhere.example", "404"), ("/", "127.0.0.1", "404"),
            ] {
                let answer = try await Self.rawUpgrade(port: gatewayPort, path: path, host: host)
                #expect(answer.hasPrefix("HTTP/1.1 \(status)"), "answer: \(answer)")
                #expect(answer.lowercased().contains("content-type: application/problem+json"))
                #expect(answer.components(separatedBy: "HTTP/1.1").count == 2, "one answer only: \(answer)")
            }
        }
    }
}
