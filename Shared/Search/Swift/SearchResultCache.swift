import Synchronization

/// Answers of recent queries, each kept with the index version that gave it (see `cx_reader_version`): a query asked
/// again before the next commit gets the same answer without Xapian weighing its postings again. A commit or a
/// rebuild changes the version, so an entry never outlives the state it describes: an article saved or hidden is
/// found or gone as soon as a search sees the commit, cached or not.
///
/// Bounded: past `capacity` entries the least recently used one goes. A capacity of 0 caches nothing.
final class SearchResultCache: Sendable {
    private struct Entry {
        var version: String
        var results: SearchResults
        var lastUse: UInt64
    }

    private struct State {
        var entries: [SearchQuery: Entry] = [:]
        var clock: UInt64 = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The cached answer to `query` if it was computed from `version` of the index.
    func results(for query: SearchQuery, version: String) -> SearchResults? {
        guard capacity > 0 else { return nil }
        return state.withLock { state in
            guard var entry = state.entries[query], entry.version == version else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[query] = entry
            return entry.results
        }
    }

    func store(_ results: SearchResults, for query: SearchQuery, version: String) {
        guard capacity > 0 else { return }
        state.withLock { state in
            state.clock += 1
            if state.entries[query] == nil, state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                state.entries[oldest] = nil
            }
            state.entries[query] = Entry(version: version, results: results, lastUse: state.clock)
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}
