import AsyncHTTPClient
import Contracts
import HTTPTypes
import Hummingbird
import HummingbirdWSClient
import HummingbirdWebSocket
import NIOWebSocket
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
}
