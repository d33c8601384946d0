import ServiceKit

/// A service instance the gateway forwards to: plain HTTP on the private network, `http://host:port`, and for an
/// instance on this host, the Unix-domain socket it also listens on (``LocalSocket``), which HTTP requests take when
/// it answers there (WebSockets keep to the port).
public struct UpstreamAddress: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public var socketPath: String?

    public init(host: String, port: Int, socketPath: String? = nil) {
        self.host = host
        self.port = port
        self.socketPath = socketPath
    }

    /// The address with the socket an instance on this host listens on in `directory`, if any.
    public func withLocalSocket(in directory: String?) -> UpstreamAddress {
        guard LocalSocket.isLoopback(host) else { return self }
        return UpstreamAddress(host: host, port: port, socketPath: LocalSocket.path(directory: directory, port: port))
    }

    /// `http://host[:port][/]`; nil for anything else (another scheme, a path, no host, a bad port).
    public init?(url: String) {
        guard url.hasPrefix("http://") else { return nil }
        var rest = url.dropFirst("http://".count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/") else { return nil }
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else { return nil }
            host = String(rest[..<colon])
            self.port = port
        } else {
            host = String(rest)
            port = 80
        }
        guard !host.isEmpty else { return nil }
    }

    /// What the forwarded request names as its Host.
    public var authority: String { "\(host):\(port)" }

    public var description: String { "http://\(authority)" }
}
