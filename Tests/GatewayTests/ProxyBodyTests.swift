import AsyncHTTPClient
import Contracts
import Hummingbird
import NIOCore
import NIOHTTP1
import Testing
import TestSupport

@Suite("Response bodies through the proxy", .serialized, .timeLimit(.minutes(1)))
struct ProxyBodyTests {
    static let page = ByteBuffer(repeating: UInt8(ascii: "x"), count: 30_000)

    /// What the streaming route learned: whether the client had the first part before the second was written.
    actor Handshake {
        private var waiting: CheckedContinuation<Bool, Never>?
        private var seen = false
        private(set) var clientSawFirstPartAlone: Bool?

        func clientSawFirst() {
            seen = true
            waiting?.resume(returning: true)
            waiting = nil
        }

        /// Waits up to `limit` for ``clientSawFirst()``.
        func waitForClient(limit: Duration) async {
            if !seen {
                let timeout = Task { try await Task.sleep(for: limit); self.timedOut() }
                seen = await withCheckedContinuation { waiting = $0 }
                timeout.cancel()
            }
            clientSawFirstPartAlone = seen
        }

        private func timedOut() {
            waiting?.resume(returning: false)
            waiting = nil
        }
    }

    /// A tickets service with a sized page, and a body streamed in two parts: the second is written once the client has
    /// the first (or after 5 s, when a proxy held the first back).
    static func upstream(port: Int, handshake: Handshake) -> some ApplicationProtocol {
        let router = Router()
        router.get("/api/v1/tickets/page") { _, _ in Response(status: .ok, body: .init(byteBuffer: page)) }
        router.head("/api/v1/tickets/page") { _, _ in Response(status: .ok, headers: [.contentLength: "\(page.readableBytes)"]) }
        router.get("/api/v1/tickets/stream") { _, _ in
            Response(status: .ok, body: .init { writer in
                try await writer.write(ByteBuffer(string: "first;"))
                await handshake.waitForClient(limit: .seconds(5))
                try await writer.write(ByteBuffer(string: "second"))
                try await writer.finish(nil)
            })
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    @Test("A sized body arrives whole with its one length, a HEAD keeps the length it announces, and a streamed body comes part by part as the service writes it")
    func sizedAndStreamed() async throws {
        let handshake = Handshake()
        try await withGateway(for: .tickets, upstream: { Self.upstream(port: $0, handshake: handshake) }) { gatewayPort, _ in
            let base = "http://127.0.0.1:\(gatewayPort)/api/v1/tickets/"

            let sized = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "page"), timeout: .seconds(10))
            #expect(sized.status == .ok)
            #expect(sized.headers["content-length"] == ["30000"])
            #expect(try await sized.body.collect(upTo: 1 << 20) == Self.page)

            var head = HTTPClientRequest(url: base + "page")
            head.method = .HEAD
            let headOnly = try await HTTPClient.shared.execute(head, timeout: .seconds(10))
            #expect(headOnly.status == .ok)
            #expect(headOnly.headers["content-length"] == ["30000"])
            #expect(try await headOnly.body.collect(upTo: 1 << 20).readableBytes == 0)

            let streamed = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "stream"), timeout: .seconds(20))
            var parts: [String] = []
            for try await part in streamed.body {
                parts.append(String(buffer: part))
                if parts.count == 1 { await handshake.clientSawFirst() }
            }
            #expect(parts.joined() == "first;second")
            #expect(parts.first == "first;")
            #expect(await handshake.clientSawFirstPartAlone == true, "the gateway held the first part back until the body was complete")
        }
    }
}
