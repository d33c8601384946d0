import Foundation

/// The ticket number: three, eight and four upper-case hex digits, e.g. `0C2-275AA393-0B40`. The middle part is
/// the seconds since 2000-01-01 UTC; the outer parts come from a database sequence, so two numbers made in the
/// same second on any instance differ (2^28 tickets per second before a repeat).
public enum TicketNumber {
    /// 2000-01-01T00:00:00Z.
    public static let epoch = Date(timeIntervalSince1970: 946_684_800)

    public static func make(sequence: Int64, at date: Date) -> String {
        let seconds = UInt32(clamping: max(0, Int64(date.timeIntervalSince(epoch))))
        let prefix = UInt16(truncatingIfNeeded: (sequence >> 16) & 0xFFF)
        let suffix = UInt16(truncatingIfNeeded: sequence & 0xFFFF)
        return hex(UInt64(prefix), width: 3) + "-" + hex(UInt64(seconds), width: 8) + "-" + hex(UInt64(suffix), width: 4)
    }

    /// Whether `text` has the documented shape.
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [3, 8, 4] && parts.allSatisfy { $0.allSatisfy { $0.isHexDigit && !$0.isLowercase } }
    }

    /// The moment a number was made, from its middle part.
    public static func date(of number: String) -> Date? {
        let parts = number.split(separator: "-")
        guard parts.count == 3, let seconds = UInt32(parts[1], radix: 16) else { return nil }
        return epoch.addingTimeInterval(TimeInterval(seconds))
    }

    static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
