import Foundation
import NIOCore
import PostgresNIO

/// A `timestamptz` exactly as PostgreSQL stores it (whole microseconds since 2000-01-01 UTC), for keyset cursors.
/// A `Date` binds truncated to the microsecond below, so a cursor carrying a `Date` could fall just before its own row
/// and show that row again on the next page; this one binds the microsecond the row holds.
public struct KeysetTimestamp: PostgresNonThrowingEncodable, Sendable, Equatable {
    public var microseconds: Int64

    private static let start = Date(timeIntervalSince1970: 946_684_800)

    /// The microsecond of a `Date` that was read from a `timestamptz` column.
    public init(_ date: Date) {
        microseconds = Int64((date.timeIntervalSince(Self.start) * 1_000_000).rounded())
    }

    /// Reads ``cursorKey`` back; nil for text that is not one, or for a time PostgreSQL's `timestamptz` cannot hold
    /// (a forged cursor, which it would refuse with an error instead of a page).
    public init?(cursorKey: String) {
        guard let microseconds = Int64(cursorKey), Self.storable.contains(microseconds) else { return nil }
        self.microseconds = microseconds
    }

    /// Microseconds within the years PostgreSQL's `timestamptz` holds (4713 BC to 294276 AD), rounded inwards.
    static let storable: ClosedRange<Int64> = -211_000_000_000_000_000...9_200_000_000_000_000_000

    public var cursorKey: String { String(microseconds) }

    public static var psqlType: PostgresDataType { .timestamptz }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(microseconds)
    }
}
