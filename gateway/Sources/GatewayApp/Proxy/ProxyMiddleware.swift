import AsyncHTTPClient
import Contracts
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOPosix
import ServiceKit

/// Forwards `/api/v1/<service>/…` to an instance of that service, for the brand of the request's host.
/// An instance that refuses the connection is skipped for the next; none reachable is a 503, none answering in
/// time a 504. Other paths fall through to the gateway's own routes.
public struct ProxyMiddleware: RouterMiddleware {
    public typealias Context = GatewayContext

    let directory: BrandDirectory
    let pools: [ServiceName: RoundRobin]
    let client: HTTPClient
    let timeout: Duration
    let maximumBody: Int
    let publicScheme: String

    public init(
        directory: BrandDirectory, upstreams: [ServiceName: [String]], client: HTTPClient, timeout: Duration, maximumBody: Int,
        publicScheme: String
    ) {
        self.directory = directory
        self.publicScheme = publicScheme
        self.pools = upstreams.mapValues(RoundRobin.init(instances:))
        self.client = client
        self.timeout = timeout
        self.maximumBody = maximumBody
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = ServiceRoute.match(path: request.uri.path)
        if route == .notAPI { return try await next(request, context) }
        let host = HostHeader.hostname(request.head.authority)
        guard let host, let brand = directory.brand(forHostname: host) else {
            throw Problem(
                status: .notFound, type: Problem.typeBase + "unknown-host", title: "Unknown host",
                detail: "No brand is served at \(host ?? "this host").")
        }
        guard case .service(let service) = route, let pool = pools[service] else {
            throw Problem.notFound("No such API.")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maximumBody)
        } catch {
            throw Problem(status: .contentTooLarge, type: Problem.typeBase + "too-large", title: "Content too large")
        }
        let headers = ForwardedHeaders.upstream(
            from: request.headers, brandID: brand.id, requestID: context.requestID ?? "", clientAddress: context.clientAddress, host: host,
            scheme: publicScheme)
        for base in pool.order() {
            var upstream = HTTPClientRequest(url: base + request.uri.description)
            upstream.method = HTTPMethod(request.method)
            upstream.headers = HTTPHeaders(headers)
            if body.readableBytes > 0 { upstream.body = .bytes(body) }
            do {
                let response = try await client.execute(upstream, deadline: .now() + TimeAmount(timeout))
                let status = HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase)
                let headers = ForwardedHeaders.downstream(from: HTTPFields(response.headers, splitCookie: false))
                if let length = response.headers.first(name: "content-length").flatMap(Int.init), length <= Self.wholeBodyLimit {
                    let whole = try await response.body.collect(upTo: length)
                    return Response(status: status, headers: headers, body: .init(byteBuffer: whole))
                }
                return Response(status: status, headers: headers, body: .init(asyncSequence: response.body))
            } catch let error where Self.isUnreachable(error) {
                context.logger.warning("upstream unreachable", metadata: ["upstream": "\(base)", "error": "\(error)"])
                continue
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                throw Problem.gatewayTimeout("The \(service.rawValue) service did not answer within \(timeout).")
            } catch {
                context.logger.error("upstream failed", metadata: ["upstream": "\(base)", "error": "\(error)"])
                throw Problem(
                    status: .badGateway, type: Problem.typeBase + "upstream-failed", title: "Bad gateway",
                    detail: "The \(service.rawValue) service failed to answer.")
            }
        }
        throw Problem.unavailable("The \(service.rawValue) service is not running.")
    }

    /// Up to this size an answer of known length is read whole and written in one piece (a ticket list page is 25 kB:
    /// streamed, each part the upstream connection read was a write and a thread hop of its own); anything larger, or of
    /// unknown length, streams through as it arrives.
    static let wholeBodyLimit = 1 << 20

    /// Errors that prove the request never reached the instance, so another instance may take it.
    static func isUnreachable(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? HTTPClientError, error == .connectTimeout { return true }
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        return false
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
