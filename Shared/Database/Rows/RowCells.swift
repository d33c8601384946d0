import Foundation
import PostgresNIO

/// Reads a row's cells one after another, each with a decoder of a concrete type.
///
/// PostgresNIO's variadic `row.decode((A, B, …).self)` is generic over a parameter pack that is not specialized:
/// every cell looks its Swift type's metadata up at run time. On a list page of 50 tickets of 24 columns that was a
/// fifth of the tickets process's CPU; these methods are compiled for their one type each. A cell of another type
/// than asked throws PostgresNIO's own decoding error naming the column; asking past the row's last cell throws
/// ``RowCellsError/noMoreColumns``.
public struct RowCells {
    private var cells: PostgresRow.Iterator

    public init(_ row: PostgresRow) {
        cells = row.makeIterator()
    }

    public mutating func uuid() throws -> UUID { try value(Self.uuid(in:)) }
    public mutating func optionalUUID() throws -> UUID? { try optionalValue(Self.uuid(in:)) }
    public mutating func string() throws -> String { try value(Self.string(in:)) }
    public mutating func optionalString() throws -> String? { try optionalValue(Self.string(in:)) }
    public mutating func int() throws -> Int { try value(Self.int(in:)) }
    public mutating func optionalInt() throws -> Int? { try optionalValue(Self.int(in:)) }
    public mutating func bool() throws -> Bool { try value(Self.bool(in:)) }
    public mutating func date() throws -> Date { try value(Self.date(in:)) }
    public mutating func optionalDate() throws -> Date? { try optionalValue(Self.date(in:)) }
    public mutating func ints() throws -> [Int] { try next().decode([Int].self) }
    /// The next cell's bytes as received (nil for NULL).
    public mutating func bytes() throws -> ByteBuffer? { try next().bytes }

    /// The next cell read from its bytes by `direct`, or by PostgresNIO where `direct` does not read it.
    private mutating func value<Value: PostgresDecodable>(_ direct: (PostgresCell) -> Value?) throws -> Value {
        let cell = try next()
        return try direct(cell) ?? cell.decode(Value.self)
    }

    /// ``value(_:)``, nil for NULL.
    private mutating func optionalValue<Value: PostgresDecodable>(_ direct: (PostgresCell) -> Value?) throws -> Value? {
        let cell = try next()
        guard cell.bytes != nil else { return nil }
        return try direct(cell) ?? cell.decode(Value.self)
    }

    private mutating func next() throws -> PostgresCell {
        guard let cell = cells.next() else { throw RowCellsError.noMoreColumns }
        return cell
    }
}

/// The binary forms PostgreSQL sends the common types in, read straight from a cell's bytes. PostgresNIO's generic
/// decoding (a decoding context holding a `JSONDecoder` for every cell, the bytes copied) was most of the reference
/// counting that took a fifth of the tickets process on a list page. Anything else (NULL, text format, another
/// type, an odd length) answers nil, and the caller has PostgresNIO decode it, with its errors.
extension RowCells {
    static func uuid(in cell: PostgresCell) -> UUID? {
        guard cell.dataType == .uuid, cell.format == .binary, let bytes = cell.bytes, bytes.readableBytes == 16 else { return nil }
        return bytes.withUnsafeReadableBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
    }

    static func string(in cell: PostgresCell) -> String? {
        switch cell.dataType {
        case .text, .varchar, .bpchar, .name:
            guard let bytes = cell.bytes else { return nil }
            return bytes.getString(at: bytes.readerIndex, length: bytes.readableBytes)
        default: return nil
        }
    }

    static func int(in cell: PostgresCell) -> Int? {
        guard cell.format == .binary, let bytes = cell.bytes else { return nil }
        switch (cell.dataType, bytes.readableBytes) {
        case (.int2, 2): return bytes.getInteger(at: bytes.readerIndex, as: Int16.self).map(Int.init)
        case (.int4, 4): return bytes.getInteger(at: bytes.readerIndex, as: Int32.self).map(Int.init)
        case (.int8, 8): return bytes.getInteger(at: bytes.readerIndex, as: Int64.self).flatMap { Int(exactly: $0) }
        default: return nil
        }
    }

    static func bool(in cell: PostgresCell) -> Bool? {
        guard cell.dataType == .bool, cell.format == .binary, let bytes = cell.bytes, bytes.readableBytes == 1 else { return nil }
        switch bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) {
        case 0: return false
        case 1: return true
        default: return nil
        }
    }

    /// Microseconds from 2000-01-01 UTC, converted as PostgresNIO converts them, so that both give the same `Date`.
    static func date(in cell: PostgresCell) -> Date? {
        guard cell.dataType == .timestamptz || cell.dataType == .timestamp, cell.format == .binary, let bytes = cell.bytes,
            bytes.readableBytes == 8, let microseconds = bytes.getInteger(at: bytes.readerIndex, as: Int64.self)
        else { return nil }
        return Date(timeIntervalSinceReferenceDate: postgresEpoch + Double(microseconds) / 1_000_000)
    }

    /// 2000-01-01 UTC in seconds from 2001-01-01 UTC.
    private static let postgresEpoch: TimeInterval = -31_622_400
}

/// The row ended before the cell a ``RowCells`` was asked for (``noMoreColumns``), or there was no row (``noRow``).
public enum RowCellsError: Error, Equatable {
    case noMoreColumns
    /// A statement that always answers a row (an aggregate) answered none.
    case noRow
}
