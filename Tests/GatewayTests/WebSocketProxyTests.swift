import AsyncHTTPClient
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWSClient
import HummingbirdWebSocket
import NIOWebSocket
import ServiceKit
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

    /// A service that greets with the brand header the gateway gave it, then echoes text frames.
    static func echoService(port: Int) -> some ApplicationProtocol {
        Application(
            router: Router(),
            server: .http1WebSocketUpgrade { request, _, _ in
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
