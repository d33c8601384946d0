import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Requests external links with a deadline: HEAD first, GET when a server refuses HEAD; a host that does not
/// answer in time is a broken link, never a hung scan.
public struct ExternalLinkChecker: Sendable {
    let client: HTTPClient
    let timeout: TimeAmount

    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(10)) {
        self.client = client
        self.timeout = TimeAmount(timeout)
    }

    public func check(_ url: String, now: Date = Date()) async -> LinkCheck {
        do {
            var status = try await request(url, method: .HEAD)
            if status == 405 || status == 501 { status = try await request(url, method: .GET) }
            return LinkCheck.from(status: status, url: url, at: now)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return LinkCheck.failed(url, reason: "no answer within \(timeout.nanoseconds / 1_000_000) ms", at: now)
        } catch {
            return LinkCheck.failed(url, reason: "unreachable: \(error)", at: now)
        }
    }

    private func request(_ url: String, method: HTTPMethod) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: "Concierge-LinkCheck/1.0")
        let response = try await client.execute(request, deadline: .now() + timeout)
        return Int(response.status.code)
    }
}
