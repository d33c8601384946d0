import Foundation
@testable import Search
import Testing

@Suite("Search answers cached per index version")
struct SearchResultCacheTests {
    static let printer = SearchQuery(text: "printer", language: "en")

    @Test("A repeated query is answered from the cache until a commit, and a commit's changes are seen at once")
    func commitsInvalidateTheCache() async throws {
        let path = SearchIndexTests.temporaryPath()
        try await SearchIndexTests.withIndex(at: path) { index in
            let readers = SearchReaders(path: path, count: 1, cacheEntries: 16)
            try await index.replace(SearchIndexTests.ticket("first", subject: "Printer offline", body: "It will not print."))
            try await index.commit()
            #expect(try await readers.search(Self.printer).hits.map(\.id) == ["first"])
            #expect(try await readers.search(Self.printer).hits.map(\.id) == ["first"])

            try await index.delete(id: "first")
            try await index.replace(SearchIndexTests.ticket("second", subject: "Printer jammed", body: "Paper stuck."))
            try await index.commit()
            #expect(try await readers.search(Self.printer).hits.map(\.id) == ["second"], "the deleted document is gone at once")
        }
    }

    @Test("Past its capacity the cache forgets the least recently used answer; a capacity of 0 keeps nothing")
    func leastRecentlyUsedGoesFirst() {
        let cache = SearchResultCache(capacity: 2)
        let results = SearchResults(hits: [], estimatedTotal: 0, suggestion: nil)
        let (a, b, c) = (SearchQuery(text: "a"), SearchQuery(text: "b"), SearchQuery(text: "c"))
        cache.store(results, for: a, version: "v1")
        cache.store(results, for: b, version: "v1")
        #expect(cache.results(for: a, version: "v1") != nil)
        cache.store(results, for: c, version: "v1")
        #expect(cache.results(for: b, version: "v1") == nil, "b was used least recently")
        #expect(cache.results(for: a, version: "v1") != nil)
        #expect(cache.results(for: a, version: "v2") == nil, "another version of the index is a miss")
        #expect(cache.count == 2)

        let none = SearchResultCache(capacity: 0)
        none.store(results, for: a, version: "v1")
        #expect(none.results(for: a, version: "v1") == nil)
    }

    @Test("Searches on two threads at once, uncached, never corrupt shared Xapian state")
    func parallelUncachedSearchesAreSafe() async throws {
        let path = SearchIndexTests.temporaryPath()
        try await SearchIndexTests.withIndex(at: path) { index in
            for number in 0..<50 {
                try await index.replace(SearchIndexTests.ticket("t\(number)", subject: "Printer \(number)", body: "rare\(number) words"))
            }
            try await index.commit()
            let readers = SearchReaders(path: path, count: 2, cacheEntries: 0)
            // A static Xapian object shared by both threads crashed this within seconds (its reference count is not
            // atomic); each worker runs a fixed number of searches so both overlap however the tasks are scheduled.
            let wrongAnswers = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        var wrong = 0
                        for search in 0..<10_000 {
                            let hits = try await readers.search(SearchQuery(text: "rare\(search % 50)", language: "en")).hits
                            if hits.map(\.id) != ["t\(search % 50)"] { wrong += 1 }
                        }
                        return wrong
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(wrongAnswers == 0)
        }
    }
}
