import NIOHTTP1

/// A first request that asks to upgrade its connection to anything but a well-formed WebSocket handshake (`h2c`, a
/// made-up protocol, a WebSocket without its key or of another version, or one that carries a body): NIO's upgrade
/// negotiation would drop such a request and leave its connection waiting for the idle timeout. It is served as the
/// plain HTTP/1.1 request it also is, its `Upgrade` header and the `upgrade` token of `Connection` left out.
enum UpgradeRequest {
    /// `head` as it should go on: unchanged unless it asks for an upgrade the gateway does not make.
    static func served(_ head: HTTPRequestHead) -> HTTPRequestHead {
        guard head.headers.contains(name: "upgrade"), !isWebSocketHandshake(head) else { return head }
        var plain = head
        plain.headers.remove(name: "upgrade")
        let connection = plain.headers[canonicalForm: "connection"].filter { $0.lowercased() != "upgrade" }
        plain.headers.remove(name: "connection")
        if !connection.isEmpty { plain.headers.add(name: "connection", value: connection.joined(separator: ", ")) }
        return plain
    }

    static func isWebSocketHandshake(_ head: HTTPRequestHead) -> Bool {
        let upgrade = head.headers[canonicalForm: "upgrade"].map { $0.lowercased() }
        let length = head.headers.first(name: "content-length").flatMap { Int($0) } ?? 0
        return head.method == .GET && upgrade.contains("websocket") && !(head.headers.first(name: "sec-websocket-key") ?? "").isEmpty
            && head.headers.first(name: "sec-websocket-version") == "13" && length == 0 && !head.headers.contains(name: "transfer-encoding")
    }
}
