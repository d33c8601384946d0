import Foundation
import Search
import Testing

@Suite("Search readers beside the writer")
struct SearchReadersTests {
    @Test("Readers see what the writer committed, not what it has pending, and answer the same as the writer")
    func readersSeeCommits() async throws {
        let path = SearchIndexTests.temporaryPath()
        try await SearchIndexTests.withIndex(at: path) { index in
            let readers = SearchReaders(path: path, count: 2)
            try await index.replace(SearchIndexTests.ticket("first", subject: "Printer offline", body: "It will not print."))
            try await index.commit()
            try await index.replace(SearchIndexTests.ticket("second", subject: "Printer jammed", body: "Paper stuck."))

            #expect(try await readers.search(SearchQuery(text: "printer", language: "en")).hits.map(\.id) == ["first"])
            try await index.commit()
            let fromReaders = try await readers.search(SearchQuery(text: "printer", language: "en"))
            let fromWriter = try await index.search(SearchQuery(text: "printer", language: "en"))
            #expect(Set(fromReaders.hits.map(\.id)) == ["first", "second"])
            #expect(fromReaders.hits.map(\.id) == fromWriter.hits.map(\.id))
        }
    }

    @Test("More searches than readers all finish, each with the right answer, while the writer keeps committing")
    func parallelSearchesShareTheReaders() async throws {
        let path = SearchIndexTests.temporaryPath()
        try await SearchIndexTests.withIndex(at: path) { index in
            for number in 0..<200 {
                let word = number.isMultiple(of: 2) ? "even" : "odd"
                try await index.replace(SearchIndexTests.ticket("t\(number)", subject: "Ticket \(word)", body: "number \(number)"))
            }
            try await index.commit()
            let readers = SearchReaders(path: path, count: 2)
            let totals = try await withThrowingTaskGroup(of: Int.self) { group in
                for search in 0..<40 {
                    group.addTask {
                        try await readers.search(SearchQuery(text: search.isMultiple(of: 2) ? "even" : "odd", limit: 500)).hits.count
                    }
                }
                group.addTask {
                    for number in 200..<220 {
                        try await index.replace(SearchIndexTests.ticket("t\(number)", subject: "Ticket other", body: "number \(number)"))
                        try await index.commit()
                    }
                    return 100
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(totals.count == 41)
            #expect(totals.allSatisfy { $0 == 100 })
        }
    }
}
