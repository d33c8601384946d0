/// Where a process of the fleet that listens on a port of this host also listens on a Unix-domain socket, when
/// `CONCIERGE_SOCKET_DIR` names a directory: `<directory>/<port>.sock`, so that the gateway finds an instance it knows
/// as `http://127.0.0.1:<port>` without more configuration. A round trip through such a socket costs both processes
/// about a third less CPU than one over TCP on loopback (README, performance).
public enum LocalSocket {
    /// The variable both sides read.
    public static let directoryVariable = "CONCIERGE_SOCKET_DIR"

    /// The longest path `sun_path` holds with its terminating NUL (108 bytes on Linux, 104 on the BSDs).
    static let maximumPathBytes = 103

    /// The socket of the instance listening on `port`; nil without a directory, or when the path would not fit in a
    /// socket address (the instance is then reached over TCP only).
    public static func path(directory: String?, port: Int) -> String? {
        guard let directory, !directory.isEmpty else { return nil }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let path = "\(base)/\(port).sock"
        return path.utf8.count <= maximumPathBytes ? path : nil
    }

    /// Whether `host` names this machine's loopback interface, where an instance's socket can be.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
