import Foundation

/// A log line's time, `2026-12-02T01:31:05.230` in UTC.
enum LogTimestamp {
    static func text(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(23)
        UTCTimeText.append(date, milliseconds: true, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
