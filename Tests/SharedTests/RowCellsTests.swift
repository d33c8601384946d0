import Database
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
}
