import Contracts
import HTTPTypes
import ServiceKit

/// What the gateway does with a request, decided from its head alone.
public enum ProxyDecision: Equatable, Sendable {
    /// Not an API path: the gateway's own routes answer it (health, metrics, 404).
    case ownRoutes
    /// Refused by the gateway itself: an unknown host or an unknown API.
    case refuse(Problem)
    /// To an instance of `service`, for the brand the host belongs to; `host` as the client named it, port included.
    case forward(ServiceName, brandID: String, host: String)

    /// The methods any service or the gateway answers; CONNECT (a tunnel), TRACE and made-up ones (`M-SEARCH`, which
    /// would reach a service renamed `MSEARCH`) are refused by the gateway.
    static let servedMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    /// ``servedMethods`` as a 405's `Allow` header lists them.
    static let allowedMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"

    static var methodNotAllowed: Problem {
        Problem(
            status: .methodNotAllowed, type: Problem.typeBase + "method-not-allowed", title: "Method not allowed",
            detail: "Concierge answers GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS.")
    }

    /// A Host header left among the fields: the first one became the request's authority.
    static let hostField = HTTPField.Name("Host")!

    /// `extraHosts`: Host headers beyond the one that became the authority; a request naming two hosts is refused
    /// (RFC 9112 §3.2), not sent to the first with the second beside it.
    public static func decide(
        method: HTTPRequest.Method = .get, path: String, authority: String?, extraHosts: Int = 0, directory: BrandDirectory,
        services: Set<ServiceName>
    ) -> ProxyDecision {
        guard servedMethods.contains(method) else { return .refuse(methodNotAllowed) }
        guard !path.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            return .refuse(Problem.badRequest("The address holds a space or a control character; percent-encode it."))
        }
        let route = ServiceRoute.match(path: path)
        if route == .notAPI { return .ownRoutes }
        guard extraHosts == 0 else { return .refuse(Problem.badRequest("The request names more than one host.")) }
        let host = HostHeader.hostname(authority)
        guard let host, let brand = directory.brand(forHostname: host) else {
            return .refuse(Problem(
                status: .notFound, type: Problem.typeBase + "unknown-host", title: "Unknown host",
                detail: "No brand is served at \(host ?? "this host")."))
        }
        guard case .service(let service) = route, services.contains(service) else { return .refuse(Problem.notFound("No such API.")) }
        return .forward(service, brandID: brand.id, host: HostHeader.authority(authority) ?? host)
    }

    /// `target` with the visible ASCII characters RFC 3986 keeps out of a URL (`"`, `<`, `>`, `\\`, `^`, a backtick, `{`,
    /// `|`, `}`) percent-encoded: browsers send some of them raw in a query (`?q=a|b`), and the HTTP/1 encoder toward a
    /// service refuses them, which came back as the service failing (502). Bytes past ASCII, which some clients send
    /// raw and the services read as UTF-8, stay as they are.
    public static func encodedTarget(_ target: String) -> String {
        guard target.utf8.contains(where: { unsafeBytes.contains($0) }) else { return target }
        var encoded: [UInt8] = []
        encoded.reserveCapacity(target.utf8.count + 8)
        for byte in target.utf8 {
            guard unsafeBytes.contains(byte) else { encoded.append(byte); continue }
            encoded += Array("%\(String(byte, radix: 16, uppercase: true))".utf8)
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private static let unsafeBytes = Set("\"<>\\^`{|}".utf8)

    /// The head a forwarded request carries upstream: the client's, with the gateway's headers
    /// (``ForwardedHeaders``), the instance as its Host and its body's exact length.
    static func upstreamHead(
        _ client: HTTPRequest, to address: UpstreamAddress, brandID: String, host: String, requestID: String, clientAddress: String?,
        scheme: String, bodyLength: Int
    ) -> HTTPRequest {
        var head = client
        head.scheme = nil
        head.authority = address.authority
        head.path = client.path.map(encodedTarget)
        head.headerFields = ForwardedHeaders.upstream(
            from: client.headerFields, brandID: brandID, requestID: requestID, clientAddress: clientAddress, host: host, scheme: scheme)
        head.headerFields[.contentLength] = bodyLength > 0 || client.method.carriesBody ? String(bodyLength) : nil
        return head
    }

    /// The answer's head as the client gets it: without the upstream connection's own headers, with the request's id.
    static func downstreamHead(_ upstream: HTTPResponse, requestID: String, closing: Bool) -> HTTPResponse {
        var head = upstream
        head.headerFields = ForwardedHeaders.downstream(from: upstream.headerFields)
        head.headerFields[.requestID] = requestID
        if closing { head.headerFields[.connection] = "close" }
        return head
    }

    /// Whether a request whose upstream connection failed is sent once more on a new connection: only when the
    /// connection was a kept one (the instance may have closed it just as it was reused), nothing of the answer was
    /// sent yet, it was not sent twice already, and sending it twice is harmless: its method changes nothing, or it
    /// carries an `Idempotency-Key`, with which the service writes it once however often it comes (a customer's new
    /// ticket or message sent while an instance restarts is then not refused with a 502).
    public static func resendsOnNewConnection(_ head: HTTPRequest, requestsOnConnection: Int, answerStarted: Bool, resent: Bool) -> Bool {
        !answerStarted && !resent && requestsOnConnection > 1 && (head.method.isSafe || head.headerFields[.idempotencyKey] != nil)
    }
}

extension HTTPRequest.Method {
    /// Methods whose requests carry a body by definition, so an empty one is sent as `Content-Length: 0`.
    var carriesBody: Bool { self == .post || self == .put || self == .patch }

    /// Methods whose requests change nothing (RFC 9110 9.2.1), so sending one twice is harmless.
    var isSafe: Bool { self == .get || self == .head || self == .options }
}
