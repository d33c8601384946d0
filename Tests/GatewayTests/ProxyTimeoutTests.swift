import Contracts
import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import ServiceKit
import Testing
import TestSupport

/// One raw client connection to the gateway, read as text as the answers come.
struct RawConnection {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var received = ""

    static func with<T>(port: Int, _ body: (inout RawConnection) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = RawConnection(outbound: outbound, inbound: inbound.makeAsyncIterator())
            return try await body(&connection)
        }
    }

    func send(_ text: String) async throws { try await outbound.write(ByteBuffer(string: text)) }

    /// Reads until what arrived contains `marker`, or the server closed the connection (false).
    mutating func read(until marker: String) async throws -> Bool {
        while !received.contains(marker) {
            guard let part = try await inbound.next() else { return false }
            received += String(buffer: part)
        }
        return true
    }

    /// Reads until the server closes the connection.
    mutating func readToEnd() async throws {
        while let part = try await inbound.next() { received += String(buffer: part) }
    }
}

/// What the slow services below saw: the bodies they were sent, and the Expect headers that came with them.
actor Sightings {
    private(set) var requests: [String] = []
    func saw(_ request: String) { requests.append(request) }
}

@Suite("Timeouts and expectations on a client connection", .serialized, .timeLimit(.minutes(1)))
struct ProxyTimeoutTests {
    /// A tickets service that echoes a POST's body with the Expect header it got, streams an answer in five parts
    /// 300 ms apart, starts an answer and then goes silent, and answers one request never.
    static func upstream(port: Int, sightings: Sightings) -> some ApplicationProtocol {
        let router = Router()
        router.post("/api/v1/tickets/echo") { request, _ in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            await sightings.saw("\(body) expect=\(request.headers[values: .init("Expect")!].joined())")
            return body
        }
        router.get("/api/v1/tickets/slow") { _, _ in
            Response(status: .ok, body: .init { writer in
                for n in 1...5 {
                    try await writer.write(ByteBuffer(string: "part\(n);"))
                    try await Task.sleep(for: .milliseconds(300))
                }
                try await writer.finish(nil)
            })
        }
        router.get("/api/v1/tickets/stalls") { _, _ in
            Response(status: .ok, body: .init { writer in
                try await writer.write(ByteBuffer(string: "begun;"))
                try await Task.sleep(for: .seconds(5))
                try await writer.write(ByteBuffer(string: "never seen"))
                try await writer.finish(nil)
            })
        }
        router.get("/api/v1/tickets/large") { _, _ in
            Response(status: .ok, body: .init { writer in
                let part = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 16)
                for _ in 0..<Self.largeParts { try await writer.write(part) }
                try await writer.finish(nil)
            })
        }
        router.get("/api/v1/tickets/silent") { _, _ in
            try await Task.sleep(for: .seconds(5))
            return "too late"
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    }

    static func withTimeoutGateway(
        _ environment: [String: String], _ body: (_ gatewayPort: Int, Sightings) async throws -> Void
    ) async throws {
        let sightings = Sightings()
        try await withGateway(for: .tickets, upstream: { upstream(port: $0, sightings: sightings) }, environment: environment) { port, _ in
            try await body(port, sightings)
        }
    }

    @Test("A request whose body stops coming is answered 408 problem+json and its connection closed, and the service never sees it")
    func stalledBodyTimesOut() async throws {
        try await Self.withTimeoutGateway(["CONCIERGE_GATEWAY_REQUEST_READ_TIMEOUT_MS": "400"]) { port, sightings in
            let started = ContinuousClock.now
            let answer = try await RawConnection.with(port: port) { connection in
                try await connection.send("POST /api/v1/tickets/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 20\r\n\r\n0123")
                try await connection.readToEnd()
                return connection.received
            }
            #expect(answer.hasPrefix("HTTP/1.1 408"), "answer: \(answer)")
            #expect(answer.lowercased().contains("content-type: application/problem+json"))
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(await sightings.requests.isEmpty)
        }
    }

    /// Sends `next` on a kept connection after a request the echo route answered ("ok"), reads to the end: everything
    /// received, and the part after the first answer.
    static func afterOneAnswer(port: Int, send next: String) async throws -> (whole: String, second: String) {
        let whole = try await RawConnection.with(port: port) { connection in
            try await connection.send("POST /api/v1/tickets/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\nok")
            _ = try await connection.read(until: "\r\n\r\nok")
            try await connection.send(next)
            try await connection.readToEnd()
            return connection.received
        }
        return (whole, whole.components(separatedBy: "\r\n\r\nok").last ?? "")
    }

    @Test("A request that is not HTTP/1.1, first or later on its connection, whole or in its body, is answered 400 problem+json and closed; a first head that never ends is closed at the idle timeout")
    func unreadableFirstRequest() async throws {
        try await Self.withTimeoutGateway(["CONCIERGE_GATEWAY_IDLE_TIMEOUT_MS": "600"]) { port, sightings in
            let badChunk = "POST /api/v1/tickets/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nZZ\r\n\r\n"
            for garbage in ["GET /api/v1/tickets/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test: a\u{01}b\r\n\r\n", "GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", badChunk] {
                let received = try await RawConnection.with(port: port) { connection in
                    try await connection.send(garbage)
                    try await connection.readToEnd()
                    return connection.received
                }
                #expect(received.hasPrefix("HTTP/1.1 400"), "\(garbage.debugDescription): \(received)")
                #expect(received.lowercased().contains("content-type: application/problem+json"))
            }
            let started = ContinuousClock.now
            let unfinished = try await RawConnection.with(port: port) { connection in
                try await connection.send("GET /api/v1/tickets/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                try await connection.readToEnd()
                return connection.received
            }
            #expect(unfinished.isEmpty)
            #expect(ContinuousClock.now - started < .seconds(10), "closed at the idle timeout, not held")
            #expect(await sightings.requests.isEmpty, "the service saw none of them")
            let fine = try await RawConnection.with(port: port) { connection in
                try await connection.send("POST /api/v1/tickets/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\nok")
                _ = try await connection.read(until: "\r\n\r\nok")
                return connection.received
            }
            #expect(fine.hasPrefix("HTTP/1.1 200") && fine.hasSuffix("\r\n\r\nok"), "a readable first request is forwarded as before: \(fine)")
            let (later, second) = try await Self.afterOneAnswer(port: port, send: "GET /api/v1/tickets/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test: a\u{01}b\r\n\r\n")
            #expect(second.hasPrefix("HTTP/1.1 400") && second.lowercased().contains("content-type: application/problem+json"), "a later one too: \(later)")
            let (laterChunk, afterChunk) = try await Self.afterOneAnswer(port: port, send: badChunk)
            #expect(afterChunk.hasPrefix("HTTP/1.1 400") && afterChunk.lowercased().contains("content-type: application/problem+json"), "a bad chunk later too: \(laterChunk)")
        }
    }

    @Test("CONNECT, TRACE and made-up methods are answered 405 problem+json at once, not forwarded")
    func unservedMethods() async throws {
        try await Self.withTimeoutGateway([:]) { port, sightings in
            for method in ["CONNECT", "TRACE", "M-SEARCH"] {
                let started = ContinuousClock.now
                let answer = try await RawConnection.with(port: port) { connection in
                    try await connection.send("\(method) /api/v1/tickets/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
                    _ = try await connection.read(until: "}")
                    return connection.received
                }
                #expect(answer.hasPrefix("HTTP/1.1 405") && answer.lowercased().contains("content-type: application/problem+json"), "\(method): \(answer)")
                #expect(answer.lowercased().contains("allow: get, head, post, put, patch, delete, options"))
                #expect(ContinuousClock.now - started < .seconds(5))
            }
            #expect(await sightings.requests.isEmpty, "the service saw none of them")
            let (later, second) = try await Self.afterOneAnswer(port: port, send: "CONNECT /api/v1/tickets/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(second.hasPrefix("HTTP/1.1 405"), "a later CONNECT on a kept connection too, and the connection closed: \(later)")
        }
    }

    @Test("An answer that keeps coming is passed on whole though it takes longer than the upstream timeout")
    func steadyAnswerIsNotCut() async throws {
        // Five parts 300 ms apart take 1.5 s, longer than the timeout; a part may come 900 ms late on a busy machine.
        try await Self.withTimeoutGateway(["CONCIERGE_GATEWAY_UPSTREAM_TIMEOUT_MS": "1200"]) { port, _ in
            let answer = try await ProxyConnectionTests.exchange(
                port: port, "GET /api/v1/tickets/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            #expect((1...5).allSatisfy { answer.contains("part\($0);") } && answer.hasSuffix("\r\n0\r\n\r\n"), "answer: \(answer)")
        }
    }

    /// Parts of 64 KiB in the large answer: 8 MiB, more than the sockets and the gateway's buffers hold between them.
    static let largeParts = 128

    @Test("A large answer held back by a client that stops reading for longer than the upstream timeout still arrives whole")
    func slowReaderIsNotCut() async throws {
        try await Self.withTimeoutGateway(["CONCIERGE_GATEWAY_UPSTREAM_TIMEOUT_MS": "500"]) { port, _ in
            let (received, ending) = try await RawConnection.with(port: port) { connection in
                try await connection.send("GET /api/v1/tickets/large HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                guard try await connection.read(until: "HTTP/1.1 200") else { return (0, "") }
                try await Task.sleep(for: .seconds(2))
                var count = connection.received.utf8.count
                var tail = ""
                while let part = try await connection.inbound.next() {
                    count += part.readableBytes
                    let last = part.getSlice(at: part.readerIndex + max(0, part.readableBytes - 16), length: min(16, part.readableBytes)) ?? part
                    tail = String((tail + String(buffer: last)).suffix(16))
                }
                return (count, tail)
            }
            #expect(received > Self.largeParts << 16, "every byte of the answer, with its head and chunk sizes")
            #expect(ending.hasSuffix("0\r\n\r\n"), "the chunked answer ended properly: \(ending.debugDescription)")
        }
    }

    @Test("A service silent for the upstream timeout gets a 504 before its answer began, and its answer cut short after")
    func silentServiceTimesOut() async throws {
        // 1.5 s: a busy machine (the whole suite runs in parallel) may take more than half a second to send the
        // stalling answer's first part; the services wait 5 s, so either answer still proves the timeout.
        try await Self.withTimeoutGateway(["CONCIERGE_GATEWAY_UPSTREAM_TIMEOUT_MS": "1500"]) { port, _ in
            let silent = try await ProxyConnectionTests.exchange(
                port: port, "GET /api/v1/tickets/silent HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(silent.hasPrefix("HTTP/1.1 504"), "answer: \(silent)")
            let started = ContinuousClock.now
            // No Connection: close: the answer cut short closes the connection itself (the deadline fails the test
            // rather than hanging it if it does not).
            let stalled = try await withDeadline(.seconds(10)) {
                try await ProxyConnectionTests.exchange(port: port, "GET /api/v1/tickets/stalls HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            }
            #expect(stalled.hasPrefix("HTTP/1.1 200"), "answer: \(stalled)")
            #expect(stalled.contains("begun;") && !stalled.contains("never seen"), "answer: \(stalled)")
            #expect(ContinuousClock.now - started < .milliseconds(4500), "cut at the timeout, not ended by the service")
        }
    }

    @Test("A client expecting 100-continue gets it before sending its body, and the service gets the body without the expectation")
    func continueIsAnswered() async throws {
        try await Self.withTimeoutGateway(["CONCIERGE_GATEWAY_REQUEST_READ_TIMEOUT_MS": "2000"]) { port, sightings in
            let answer = try await RawConnection.with(port: port) { connection in
                try await connection.send(
                    "POST /api/v1/tickets/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
                #expect(try await connection.read(until: "\r\n\r\n"))
                #expect(connection.received.hasPrefix("HTTP/1.1 100"), "the body's timeout answered first: \(connection.received)")
                try await connection.send("hello")
                try await connection.readToEnd()
                return connection.received
            }
            #expect(answer.contains("HTTP/1.1 200"), "answer: \(answer)")
            #expect(answer.hasSuffix("hello"))
            #expect(await sightings.requests == ["hello expect="])
        }
    }

    @Test("A client expecting 100-continue with a body over the limit, or to an unknown API, gets the final answer at once")
    func continueRefusedAtOnce() async throws {
        try await Self.withTimeoutGateway(["CONCIERGE_GATEWAY_MAX_BODY_BYTES": "10"]) { port, sightings in
            for (path, status) in [("/api/v1/tickets/echo", "413"), ("/api/v1/nothing", "404")] {
                let answer = try await RawConnection.with(port: port) { connection in
                    try await connection.send("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 50\r\nExpect: 100-continue\r\n\r\n")
                    try await connection.readToEnd()
                    return connection.received
                }
                #expect(answer.hasPrefix("HTTP/1.1 \(status)"), "answer: \(answer)")
                #expect(!answer.contains("HTTP/1.1 100"))
            }
            #expect(await sightings.requests.isEmpty)
        }
    }
}
