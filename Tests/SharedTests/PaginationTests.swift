import Foundation
import Database
import HTTPTypes
import PostgresNIO
import ServiceKit
import Testing

@Suite("Cursor pagination")
struct PaginationTests {
    @Test("A cursor survives its round trip through a URL")
    func roundTrip() throws {
        let cursor = Cursor(keys: ["2026-11-30T12:00:00Z", "01a22d23-3cb0-7737-839f-bd95040ce7df"])
        #expect(!cursor.encoded.contains("="))
        #expect(try Cursor(decoding: cursor.encoded) == cursor)
    }

    @Test("A cursor of any text is URL-safe and reads back as the same keys")
    func anyText() throws {
        let cursor = Cursor(keys: ["a/b\"c\\d", "ü>?~ÿ\u{1F600}", "", "line\nbreak"])
        let encoded = cursor.encoded
        #expect(!encoded.contains("+") && !encoded.contains("/") && !encoded.contains("="))
        #expect(try Cursor(decoding: encoded) == cursor)
        let foundation = try JSONDecoder().decode([String].self, from: Data(base64Encoded: "WyJhIl0=") ?? Data())
        #expect(try Cursor(decoding: "WyJhIl0").keys == foundation)
    }

    @Test("A cursor the API did not issue is a 400 problem")
    func foreignCursor() {
        #expect(throws: Problem.self) { try Cursor(decoding: "not-a-cursor!") }
        #expect(throws: Problem.self, "PostgreSQL takes no NUL in text") { try Cursor(decoding: Cursor(keys: ["subject.asc", "a\u{0}b"]).encoded) }
    }

    @Test("limit must be between 1 and 200, and defaults to 50")
    func limits() throws {
        #expect(try PageRequest(queryLimit: nil, queryCursor: nil).limit == 50)
        #expect(try PageRequest(queryLimit: "200", queryCursor: nil).limit == 200)
        for bad in ["0", "201", "-1", "ten"] {
            #expect(throws: Problem.self) { try PageRequest(queryLimit: bad, queryCursor: nil) }
        }
    }

    @Test("A page built from limit + 1 rows has a next cursor at its last item, and none without the extra row")
    func pageFromFetched() throws {
        let full = Page.from(fetched: ["a", "b", "c"], limit: 2) { [$0] }
        #expect(full.items == ["a", "b"])
        #expect(try Cursor(decoding: try #require(full.nextCursor)).keys == ["b"])
        let last = Page.from(fetched: ["a", "b"], limit: 2) { [$0] }
        #expect(last.nextCursor == nil)
    }

    @Test("A timestamp in a cursor is the very microsecond its row holds, so the next page starts right after that row")
    func exactTimestamps() throws {
        let start = Date(timeIntervalSince1970: 946_684_800)
        for microseconds: Int64 in [819_000_000_792_294, 819_000_000_000_001, 999_999_999_999_999, 1, 0] {
            let read = Date(timeInterval: Double(microseconds) / 1_000_000, since: start)
            let key = KeysetTimestamp(read)
            #expect(key.microseconds == microseconds)
            #expect(KeysetTimestamp(cursorKey: key.cursorKey) == key)
        }
        #expect(KeysetTimestamp(cursorKey: "1766364282.792294") == nil)
    }

    @Test("A list reads its cursor back as typed binds: nils on the first page, a 400 for a cursor of another shape or format, or forged out of range")
    func keysetCursorBinds() throws {
        let shape: [KeysetCursor.Key] = [.integer, .timestamp, .uuid]
        var first = PostgresBindings()
        try KeysetCursor.append(nil, as: shape, to: &first)
        #expect(first.count == 3)

        let id = "01a22d23-3cb0-7737-839f-bd95040ce7df"
        var next = PostgresBindings()
        try KeysetCursor.append(Cursor(keys: ["2", "819000000792294", id]), as: shape, to: &next)
        #expect(next.count == 3)

        let foreign = [
            Cursor(keys: ["2", id]),  // another list's
            Cursor(keys: ["2", "2025-12-22T00:44:42.792294Z", id]),  // written before cursors carried microseconds
            Cursor(keys: ["high", "819000000792294", id]),
            Cursor(keys: ["2", "819000000792294", "not-a-uuid"]),
            Cursor(keys: ["2147483648", "819000000792294", id]),  // forged: wider than the integer column
            Cursor(keys: ["2", "9223372036854775807", id]),  // forged: a time timestamptz cannot hold
        ]
        for cursor in foreign {
            var binds = PostgresBindings()
            let problem = #expect(throws: Problem.self) { try KeysetCursor.append(cursor, as: shape, to: &binds) }
            #expect(problem?.status == .badRequest)
        }
    }
}
