import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small HTTP client for tests that talk to real processes.
public struct TestHTTP: Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: Data

        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        public var text: String { String(decoding: body, as: UTF8.self) }
        public var contentType: String? { headers.first(name: "content-type") }
    }

    public static let shared = TestHTTP()
    let client = HTTPClient.shared

    public func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], json: Any? = nil, rawBody: String? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.body = .bytes(ByteBuffer(bytes: Array(try JSONSerialization.data(withJSONObject: json))))
            request.headers.add(name: "Content-Type", value: "application/json")
        } else if let rawBody {
            request.body = .bytes(ByteBuffer(string: rawBody))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let seconds = timeout.components.seconds
        let response = try await client.execute(request, timeout: .seconds(seconds))
        let body = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
    }

    public func get(_ url: String, host: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        try await send(.GET, url, headers: (host.map { [("Host", $0)] } ?? []) + headers)
    }

    /// Polls `url` until it answers 200 or `timeout` passes; returns whether it did.
    public func waitForOK(_ url: String, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let reply = try? await send(.GET, url, timeout: .seconds(2)), reply.status == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
