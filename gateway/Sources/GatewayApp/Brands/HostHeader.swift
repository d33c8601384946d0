/// Extracts the hostname of a Host header: lower-cased, port and trailing dot removed; nil when it is not a
/// plausible hostname (then no brand can match it).
public enum HostHeader {
    public static func hostname(_ header: String?) -> String? {
        guard var host = header?.lowercased(), !host.isEmpty, host.utf8.count <= 260 else { return nil }
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]"),
            host[host.index(after: colon)...].allSatisfy(\.isNumber)
        {
            host = String(host[..<colon])
        }
        if host.hasSuffix(".") { host.removeLast() }
        guard !host.isEmpty,
            host.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." })
        else { return nil }
        return host
    }

    /// The host as the client named it, for the links services write back to it (`X-Forwarded-Host`): the normalized
    /// hostname with the port the client used, if any (`demo.localhost:8080` when the gateway listens there).
    public static func authority(_ header: String?) -> String? {
        guard let header, let hostname = hostname(header) else { return nil }
        if let colon = header.lastIndex(of: ":"), !header.hasSuffix("]") {
            let port = header[header.index(after: colon)...]
            if (1...5).contains(port.count), port.allSatisfy(\.isNumber) { return hostname + ":" + port }
        }
        return hostname
    }
}
