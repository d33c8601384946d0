import Foundation
import Logging
import Search

/// The writing half of an ``IndexFeed``: re-indexes what is pending, a batch at a time.
///
/// A lone change is written at once; what arrives within `spacing` of the start of the last write waits and goes
/// in the next batch. Writes are spaced because a commit costs the disk nearly the same for one document as for a
/// hundred (it rewrites and syncs the B-tree blocks on the way to every changed entry), so starting each batch as
/// soon as the last one was written meant tens of syncs a second beside PostgreSQL's own.
///
/// Each batch is a plain commit that leaves the index marked dirty; once a spacing passes with nothing pending,
/// it is marked clean. A batch that fails goes back to pending and is retried after `retryDelay`.
struct IndexWriter<Projection: SearchProjection>: Sendable {
    let projection: Projection
    let pending: PendingDocuments
    let spacing: Duration
    let retryDelay: Duration
    let logger: Logger

    /// Writes batches until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            let ids = await pending.next()
            let started = ContinuousClock.now
            await write(ids)
            try? await Task.sleep(until: started + spacing)
            if await pending.isEmpty { await markClean() }
        }
    }

    /// Writes what is still pending and leaves the index clean (when the feed stops); a failure leaves it dirty.
    func finish() async throws {
        let rest = await pending.take()
        if !rest.isEmpty { try await projection.reindex(rest) }
        try await projection.index.flush()
    }

    /// Records a clean point; on failure the index stays marked dirty (a rebuild if the process died now).
    private func markClean() async {
        do {
            try await projection.index.flush()
        } catch {
            logger.warning("marking the search index clean failed", metadata: ["error": "\(error)"])
        }
    }

    private func write(_ ids: Set<UUID>) async {
        guard !ids.isEmpty else { return }
        do {
            for (id, error) in try await projection.reindex(ids) {
                logger.error("search index refused a document; it is left out until its next change", metadata: ["id": "\(id)", "error": "\(error)"])
            }
            try await projection.index.commit()
        } catch {
            await pending.add(ids)
            logger.warning("re-indexing failed; retrying", metadata: ["documents": "\(ids.count)", "error": "\(error)"])
            try? await Task.sleep(for: retryDelay)
        }
    }
}
