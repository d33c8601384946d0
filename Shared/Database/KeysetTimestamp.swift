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

    /// Reads ``cursorKey`` back; nil for text that is not one.
    public init?(cursorKey: String) {
        guard let microseconds = Int64(cursorKey) else { return nil }
        self.microseconds = microseconds
    }

    public var cursorKey: String { String(microseconds) }

    public static var psqlType: PostgresDataType { .timestamptz }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(microseconds)
    }
}
