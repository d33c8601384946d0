import ArgumentParser
import Contracts
import Foundation
import KnowledgeApp
import Search
import TicketsApp

/// Measures a search index in-process, without HTTP or PostgreSQL: the ceiling `make bench` sets the search API
/// beside. For tickets each line of the queries file is `text<TAB>brand id<TAB>statuses` (brand and statuses
/// optional), built as the search API builds it for an administrator; for articles `text<TAB>brand id<TAB>language`,
/// built as the knowledge search builds it for a portal visitor of that brand (public, published articles only).
struct SearchBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search-bench", abstract: "Runs searches against an index directory and prints queries/s, p50 and p95 (ms).")

    enum Kind: String, ExpressibleByArgument { case tickets, articles }

    @Option(help: "What the index holds: tickets or articles.") var kind = Kind.tickets
    @Option(help: "The instance's index directory (data directory + /tickets-index or /articles-index).") var index: String
    @Option(help: "The queries file.") var queries: String
    @Option(help: "Searches running at once (each on its own read-only handle).") var concurrency = 1
    @Option(help: "Hits per query (a result page).") var limit = 20
    @Option(help: "Seconds to measure, after one pass over the queries to warm up.") var seconds = 5.0
    @Option(help: "Answers cached per index version, as the services do (0: every query searches the index).")
    var cacheEntries = 0

    func run() async throws {
        let lines = try String(contentsOfFile: queries, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let built = try lines.map { kind == .tickets ? try Self.query($0, limit: limit) : try Self.articleQuery($0, limit: limit) }
        guard !built.isEmpty else { throw ValidationError("\(queries) holds no queries") }
        let readers = SearchReaders(path: index, count: concurrency, cacheEntries: cacheEntries)
        for query in built { _ = try await readers.search(query) }
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var taken: [Double] = []
                    var next = worker
                    while ContinuousClock.now < deadline {
                        let start = ContinuousClock.now
                        _ = try await readers.search(built[next % built.count])
                        taken.append((ContinuousClock.now - start) / .milliseconds(1))
                        next += concurrency
                    }
                    return taken
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }.sorted()
        }
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print(String(format: "%.1f %.3f %.3f", Double(latencies.count) / elapsed, percentile(0.5), percentile(0.95)))
    }

    static func query(_ line: String, limit: Int) throws -> SearchQuery {
        let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        var criteria = TicketSearchCriteria(text: parts[0], limit: limit)
        if parts.count > 1, !parts[1].isEmpty {
            guard let brand = UUID(parsing: parts[1]) else { throw ValidationError("not a brand id: \(parts[1])") }
            criteria.brandID = brand
        }
        if parts.count > 2, !parts[2].isEmpty {
            criteria.statuses = try parts[2].split(separator: ",").map { text in
                guard let status = TicketStatus(rawValue: String(text)) else { throw ValidationError("not a status: \(text)") }
                return status
            }
        }
        return TicketSearch.textQuery(criteria, text: parts[0], visibility: nil)
    }

    static func articleQuery(_ line: String, limit: Int) throws -> SearchQuery {
        let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let brand = UUID(parsing: parts[1]) else { throw ValidationError("expected text<TAB>brand id<TAB>language: \(line)") }
        return ArticleSearch.query(parts[0], reader: ArticleReader(brandID: brand.uuidString.lowercased(), employee: false), language: parts[2], limit: limit)
    }
}
