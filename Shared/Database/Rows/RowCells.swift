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

    public mutating func uuid() throws -> UUID { try next().decode(UUID.self) }
    public mutating func optionalUUID() throws -> UUID? { try next().decode(UUID?.self) }
    public mutating func string() throws -> String { try next().decode(String.self) }
    public mutating func optionalString() throws -> String? { try next().decode(String?.self) }
    public mutating func int() throws -> Int { try next().decode(Int.self) }
    public mutating func optionalInt() throws -> Int? { try next().decode(Int?.self) }
    public mutating func bool() throws -> Bool { try next().decode(Bool.self) }
    public mutating func date() throws -> Date { try next().decode(Date.self) }
    public mutating func optionalDate() throws -> Date? { try next().decode(Date?.self) }
    public mutating func ints() throws -> [Int] { try next().decode([Int].self) }

    private mutating func next() throws -> PostgresCell {
        guard let cell = cells.next() else { throw RowCellsError.noMoreColumns }
        return cell
    }
}

/// The row ended before the cell a ``RowCells`` was asked for.
public enum RowCellsError: Error, Equatable {
    case noMoreColumns
}
