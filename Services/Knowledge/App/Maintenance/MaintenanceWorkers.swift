import Foundation
import Logging
import ServiceKit

/// The knowledge service's periodic upkeep, each a ``BatchWorker`` over an `ArticleStore` batch.
extension BatchWorker {
    /// Purges articles and news items 90 days after they were deleted.
    public static func purge(store: ArticleStore, every pause: Duration = .seconds(3_600), gate: StartupGate?, logger: Logger) -> BatchWorker {
        BatchWorker("purge of deleted articles", every: pause, gate: gate, logger: logger) {
            try await store.purgeDeleted(before: Date().addingTimeInterval(-ArticleStore.purgeAfter))
        }
    }

    /// The event processing of article status: announces the articles that went stale since the last round.
    public static func staleArticles(store: ArticleStore, every pause: Duration = .seconds(300), gate: StartupGate?, logger: Logger) -> BatchWorker {
        BatchWorker("announcing stale articles", every: pause, gate: gate, logger: logger) {
            try await store.announceStale()
        }
    }
}
