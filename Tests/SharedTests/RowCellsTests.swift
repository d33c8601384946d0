@testable import Database
import Foundation
import PostgresNIO
import Testing
import TestSupport

@Suite("Reading a row's cells in order", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct RowCellsTests {
    static let statement = """
        SELECT 'c8a1f9a4-60b5-4c41-9a53-7d1c2b0c9e11'::uuid, NULL::uuid, 'Printer on fire', NULL::text, 42::integer,
               NULL::integer, true, timestamptz '2026-12-02 05:30:47.123456+00', NULL::timestamptz, 7::smallint
        """

    @Test("Each cell is read as its type, NULL as nil, in the order the statement names them")
    func readsEveryType() async throws {
        try await TestDatabase.withFreshSchema("rowcells") { database in
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: Self.statement))
            var read = 0
            for try await row in rows {
                var cells = RowCells(row)
                #expect(try cells.uuid() == UUID(uuidString: "c8a1f9a4-60b5-4c41-9a53-7d1c2b0c9e11"))
                #expect(try cells.optionalUUID() == nil)
                #expect(try cells.string() == "Printer on fire")
                #expect(try cells.optionalString() == nil)
                #expect(try cells.int() == 42)
                #expect(try cells.optionalInt() == nil)
                #expect(try cells.bool())
                #expect(try cells.date() == Date(timeIntervalSince1970: 1_796_189_447.123456))
                #expect(try cells.optionalDate() == nil)
                #expect(try cells.int() == 7)
                #expect(throws: RowCellsError.noMoreColumns) { try cells.string() }
                read += 1
            }
            #expect(read == 1)
        }
    }

    @Test("A cell of another type than asked throws a decoding error naming its column")
    func wrongTypeThrows() async throws {
        try await TestDatabase.withFreshSchema("rowcells") { database in
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT 'not a number' AS subject"))
            for try await row in rows {
                var cells = RowCells(row)
                let error = #expect(throws: PostgresDecodingError.self) { try cells.int() }
                #expect(error?.columnName == "subject")
            }
        }
    }

    @Test("Cells read from their bytes equal what PostgresNIO decodes, and the forms left to it are left")
    func directReadsMatchPostgresNIO() async throws {
        try await TestDatabase.withFreshSchema("rowcells") { database in
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: """
                SELECT 'c8a1f9a4-60b5-4c41-9a53-7d1c2b0c9e11'::uuid, 'Zürich ☕'::text, 'vc'::varchar(5), 'bp'::char(4), 'nm'::name,
                       (-32768)::smallint, (-2147483648)::integer, 9007199254740993::bigint, false, true,
                       timestamptz '1999-12-31 23:59:59.999999+00', timestamp '2026-12-02 05:30:47.000001',
                       timestamptz '2038-01-19 03:14:08.5+00', 3.5::numeric, date '2026-12-02'
                """))
            for try await row in rows {
                let cells = Array(row)
                #expect(RowCells.uuid(in: cells[0]) == (try cells[0].decode(UUID.self)))
                for index in 1...4 { #expect(RowCells.string(in: cells[index]) == (try cells[index].decode(String.self))) }
                for index in 5...7 { #expect(RowCells.int(in: cells[index]) == (try cells[index].decode(Int.self))) }
                for index in 8...9 { #expect(RowCells.bool(in: cells[index]) == (try cells[index].decode(Bool.self))) }
                for index in 10...12 { #expect(RowCells.date(in: cells[index]) == (try cells[index].decode(Date.self))) }
                #expect(RowCells.int(in: cells[13]) == nil)
                #expect(RowCells.date(in: cells[14]) == nil)
                #expect(RowCells.string(in: cells[0]) == nil)
                var read = RowCells(row)
                #expect(try read.optionalUUID() == cells[0].decode(UUID.self))
                #expect(try read.optionalString() == "Zürich ☕")
                #expect(try read.string() == "vc")
                #expect(try read.string() == "bp  ")
                #expect(try read.string() == "nm")
                #expect(try read.optionalInt() == -32768)
                #expect(try read.int() == -2_147_483_648)
                #expect(try read.int() == 9_007_199_254_740_993)
                #expect(try read.bool() == false)
                #expect(try read.bool())
                #expect(try read.optionalDate() == cells[10].decode(Date.self))
                #expect(try read.date() == cells[11].decode(Date.self))
            }
        }
    }
}
