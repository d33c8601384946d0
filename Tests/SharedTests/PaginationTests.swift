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

    @Test("A cursor the API did not issue is a 400 problem")
    func foreignCursor() {
        #expect(throws: Problem.self) { try Cursor(decoding: "not-a-cursor!") }
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
}
