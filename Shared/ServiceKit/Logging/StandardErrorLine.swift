#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Log lines on standard error, written in batches: a line joins a buffer that a writer thread empties every 50 ms,
/// one `write(2)` for all the lines since (a write per line was a tenth of the gateway's CPU, an access-log line for
/// every request). A warning or an error goes out at once with every line before it, a full buffer (64 kB) as soon as
/// it fills, and what is left when the process exits. Lines never interleave and keep their order.
enum StandardErrorLine {
    private static let pending = Mutex<[UInt8]>([])
    private static let limit = 64 << 10
    private static let writer: Void = {
        let thread = Thread {
            while true {
                usleep(50_000)
                flush()
            }
        }
        thread.name = "log-writer"
        thread.start()
        atexit { StandardErrorLine.flush() }
    }()

    static func write(_ line: [UInt8], now: Bool) {
        _ = writer
        pending.withLock { buffer in
            buffer.append(contentsOf: line)
            buffer.append(UInt8(ascii: "\n"))
            if now || buffer.count >= limit { drain(&buffer) }
        }
    }

    /// Writes what is buffered.
    static func flush() {
        pending.withLock { drain(&$0) }
    }

    private static func drain(_ buffer: inout [UInt8]) {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(2, base + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
        }
        buffer.removeAll(keepingCapacity: buffer.capacity <= limit * 2)
    }
}
