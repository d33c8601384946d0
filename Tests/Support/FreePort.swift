import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A TCP port nobody listens on now, chosen by the kernel, for a process a test starts.
///
/// Never the same port twice in one test process: the probe socket is closed at once, so the kernel may offer the
/// port again before the process it was meant for binds it, and two fleets starting side by side once got the same
/// port (one fleet's gateway then sent its sign-in to the other fleet's tickets service: 404).
public enum FreePort {
    private static let handedOut = Mutex<Set<Int>>([])

    public static func next() -> Int {
        while true {
            let port = probe()
            let fresh = handedOut.withLock { $0.insert(port).inserted }
            if fresh { return port }
        }
    }

    private static func probe() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static func isOpen(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}
