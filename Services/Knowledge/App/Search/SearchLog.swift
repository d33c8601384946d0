import Foundation
import Logging
import ServiceKit
import ServiceLifecycle
import Synchronization

/// Portal visitors' searches, kept for the search reports without putting a database write in front of every
/// answer: a search is noted in memory and the notes are written in batches (one insert) every `pause`, and once
/// more when the service stops.
public final class SearchLog: Service, Sendable {
    /// Searches held while the database is unreachable; beyond this the oldest are dropped (and logged).
    static let capacity = 10_000
    let store: ArticleStore
    let pause: Duration
    let logger: Logger
    let pending = Mutex<[SearchRecord]>([])

    public init(store: ArticleStore, every pause: Duration = .milliseconds(250), logger: Logger = Logger(label: "knowledge.search-log")) {
        self.store = store
        self.pause = pause
        self.logger = logger
    }

    public func record(_ search: SearchRecord) {
        let dropped = pending.withLock { records -> Int in
            records.append(search)
            let excess = max(0, records.count - Self.capacity)
            records.removeFirst(excess)
            return excess
        }
        if dropped > 0 { logger.warning("search log full; oldest searches dropped", metadata: ["dropped": "\(dropped)"]) }
    }

    /// Writes what is pending; on failure it stays pending for the next round. Answers how many were written.
    @discardableResult
    public func flush() async throws -> Int {
        let batch = pending.withLock { records in
            defer { records.removeAll() }
            return records
        }
        guard !batch.isEmpty else { return 0 }
        do {
            try await store.writeSearches(batch)
        } catch {
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            throw error
        }
        return batch.count
    }

    public func run() async throws {
        await PollingLoop.run(pause: pause, gate: nil, logger: logger, what: "writing the search log") { try await flush() }
        try await flush()
    }
}
