import NIOPosix

/// Searches an index directory through up to `count` read-only handles at once, so searches run in parallel
/// beside the directory's one writer (``SearchIndex``) instead of queueing behind it. Readers see what the writer
/// has committed, as of the moment each search starts. Answers are cached per index version
/// (``SearchResultCache``): a repeated query costs a version check until the next commit.
public struct SearchReaders: TextSearching {
    /// Cached answers when the caller does not say (`CONCIERGE_SEARCH_CACHE_ENTRIES` in the services).
    public static let defaultCacheEntries = 2048

    private let pool: ReaderPool
    private let cache: SearchResultCache

    /// `count` is how many searches may run at the same time (the cores worth giving to search); `cacheEntries`
    /// how many answers are kept (0: none).
    public init(path: String, count: Int, cacheEntries: Int = defaultCacheEntries) {
        pool = ReaderPool(path: path, limit: max(1, count))
        cache = SearchResultCache(capacity: cacheEntries)
    }

    /// Runs on NIO's blocking-work threads: a search blocks in Xapian (tens of milliseconds for a common word over a
    /// million tickets), which on Swift's cooperative pool would hold a thread that answers requests. An answer
    /// already cached for the reader's version is returned where the caller runs: looking the version up costs at
    /// most one small file's read (``XapianReader/version(now:)``), less than the hand-over to a blocking-work
    /// thread and back.
    public func search(_ query: SearchQuery) async throws -> SearchResults {
        let reader = try await pool.checkOut()
        do {
            let results: SearchResults
            if cache.capacity > 0, let cached = cache.results(for: query, version: try reader.version()) {
                results = cached
            } else {
                results = try await NIOThreadPool.singleton.runIfActive { try answer(query, with: reader) }
            }
            await pool.checkIn(reader)
            return results
        } catch {
            // A reader that failed (say, its directory was replaced by a rebuild) is closed; the next one is fresh.
            await pool.discard()
            throw error
        }
    }

    private func answer(_ query: SearchQuery, with reader: XapianReader) throws -> SearchResults {
        if cache.capacity > 0, let cached = cache.results(for: query, version: try reader.version()) { return cached }
        let (found, version) = try reader.search(query)
        var results = found
        results.version = version
        cache.store(results, for: query, version: version)
        return results
    }
}

/// The readers of one directory: lent to one search at a time, opened on demand up to the limit; searches beyond
/// it wait for a reader in arrival order.
actor ReaderPool {
    private let path: String
    private let limit: Int
    private var idle: [XapianReader] = []
    private var opened = 0
    private var waiting: [CheckedContinuation<XapianReader, any Error>] = []

    init(path: String, limit: Int) {
        self.path = path
        self.limit = limit
    }

    func checkOut() async throws -> XapianReader {
        if let reader = idle.popLast() { return reader }
        if opened < limit { return try open() }
        return try await withCheckedThrowingContinuation { waiting.append($0) }
    }

    func checkIn(_ reader: XapianReader) {
        if waiting.isEmpty {
            idle.append(reader)
        } else {
            waiting.removeFirst().resume(returning: reader)
        }
    }

    /// Forgets a reader that failed; a search waiting for one gets a newly opened reader (or the error).
    func discard() {
        opened -= 1
        guard !waiting.isEmpty else { return }
        let next = waiting.removeFirst()
        next.resume(with: Result { try open() })
    }

    private func open() throws -> XapianReader {
        let reader = try XapianReader(path: path)
        opened += 1
        return reader
    }
}
