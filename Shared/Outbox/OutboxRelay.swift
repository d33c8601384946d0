import Database
import EventBus
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// Publishes outbox rows with the idempotent producer and marks them sent only once the broker acknowledged them.
/// One instance of a service relays at a time (a transaction-scoped advisory lock), so events leave in order and
/// each row once; a row whose delivery failed stays unpublished and is retried, which is how a broker outage
/// loses nothing. Within a pass a key's records go out one wave at a time (``RelayWaves``), so a retried row never
/// reaches consumers after a later event of its key.
public struct OutboxRelay: Service {
    public struct Settings: Sendable {
        public var pollInterval: Duration
        public var batchSize: Int
        public var retention: Duration
        public var failureBackoff: Duration
        /// How far before the broker's last acknowledgement a loss replays (``replayAfterBrokerLoss()``): events
        /// its consumers may not have read yet when it went.
        public var lossReplayMargin: Duration

        public init(
            pollInterval: Duration = .milliseconds(100), batchSize: Int = 500, retention: Duration = .seconds(7 * 24 * 3600),
            failureBackoff: Duration = .seconds(1), lossReplayMargin: Duration = .seconds(300)
        ) {
            self.pollInterval = pollInterval
            self.batchSize = batchSize
            self.retention = retention
            self.failureBackoff = failureBackoff
            self.lossReplayMargin = lossReplayMargin
        }
    }

    public struct PassResult: Sendable, Equatable {
        public var published: Int
        public var failed: Int
    }

    let store: OutboxStore
    let producer: any OutboxSender
    let settings: Settings
    let gate: StartupGate?
    let logger: Logger

    public init(store: OutboxStore, producer: any OutboxSender, settings: Settings, gate: StartupGate? = nil, logger: Logger) {
        self.store = store
        self.producer = producer
        self.settings = settings
        self.gate = gate
        self.logger = logger
    }

    public func run() async throws {
        await gate?.wait()
        var lastPurge = ContinuousClock.now - .seconds(3600)
        var brokerLoss: Date?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var pause = settings.pollInterval
            do {
                brokerLoss = brokerLoss ?? producer.takeMayHaveLostSince()
                if let since = brokerLoss {
                    try await replayAfterBrokerLoss(since: since)
                    brokerLoss = nil
                }
                let result = try await relayOnce()
                if result.failed > 0 { pause = settings.failureBackoff }
                if result.published == settings.batchSize { pause = .zero }
            } catch {
                logger.warning("outbox relay pass failed", metadata: ["error": "\(String(reflecting: error))"])
                pause = settings.failureBackoff
            }
            if ContinuousClock.now - lastPurge > .seconds(60) {
                // A full batch leaves more behind (after a long stop, or a burst): the next pass purges again, so a large
                // backlog goes a batch at a time between passes instead of holding up publishing in one long delete.
                lastPurge = await purge() ? ContinuousClock.now - .seconds(61) : ContinuousClock.now
            }
            if pause > .zero {
                let wait = pause
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            }
        }
    }

    /// One claim–publish–mark cycle; the row locks are held until the delivery reports are in. Nothing waiting (the
    /// relay's usual state between bursts) is found without a transaction.
    @discardableResult
    public func relayOnce() async throws -> PassResult {
        guard try await store.hasUnpublished() else { return PassResult(published: 0, failed: 0) }
        // Not run again on a deadlock: a second attempt would send what the first sent; the next pass does it.
        return try await store.database.transaction(retryingDeadlocks: false) { connection in
            let records = try await store.claimUnpublished(limit: settings.batchSize, on: connection)
            guard !records.isEmpty else { return PassResult(published: 0, failed: 0) }
            var waves = RelayWaves(records)
            var delivered: [Int64] = []
            var firstError: KafkaError?
            while case let wave = waves.next(), !wave.isEmpty {
                let results = await producer.send(wave.map { OutgoingMessage(topic: $0.topic, key: $0.key, value: $0.payload) })
                for (record, result) in zip(wave, results) {
                    switch result {
                    case .success: delivered.append(record.id)
                    case .failure(let error):
                        firstError = firstError ?? error
                        waves.failed(record)
                    }
                }
            }
            try await store.markPublished(delivered, on: connection)
            if let firstError {
                logger.warning(
                    "outbox rows not delivered; will retry",
                    metadata: ["failed": "\(records.count - delivered.count)", "error": "\(firstError)"])
            }
            return PassResult(published: delivered.count, failed: records.count - delivered.count)
        }
    }

    /// A broker that restarted empty (the development broker keeps messages in memory) lost the events its consumers had
    /// not read yet, though it acknowledged them. When the producer had to start afresh (``OutboxSender/takeMayHaveLostSince()``,
    /// `since`: the broker's last acknowledgement to it), the events created in the margin before that go out again, as
    /// `concierge replay` would send them; consumers ignore the ones they already have. Events created after it were
    /// never acknowledged by the broker that went (they are still pending, or reached the one that came back), so they
    /// are not sent twice, whichever instance notices first. Answers how many were queued.
    @discardableResult
    public func replayAfterBrokerLoss(since: Date) async throws -> Int {
        let from = since.addingTimeInterval(-Double(settings.lossReplayMargin.components.seconds))
        let queued = try await store.markForReplay(since: from, until: since)
        logger.warning(
            "the broker may have lost events it acknowledged; publishing them again",
            metadata: ["since": "\(from.formatted(.iso8601))", "events": "\(queued)"])
        return queued
    }

    /// Publishes until nothing is pending (the `concierge replay` command, which may run with no service up).
    public func drain(timeout: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var total = 0
        while ContinuousClock.now < deadline {
            let result = try await relayOnce()
            total += result.published
            if result.published == 0 && result.failed == 0 { return total }
            if result.failed > 0 { try await Task.sleep(for: settings.failureBackoff) }
        }
        throw DeadlineExceeded(limit: timeout)
    }

    /// One batch of the purge; true when it was full, so more may be left.
    private func purge() async -> Bool {
        let seconds = Double(settings.retention.components.seconds)
        do {
            let removed = try await store.purgePublished(olderThan: Date().addingTimeInterval(-seconds), limit: Self.purgeBatch)
            if removed > 0 { logger.info("purged published outbox rows", metadata: ["rows": "\(removed)"]) }
            return removed == Self.purgeBatch
        } catch {
            logger.warning("outbox purge failed", metadata: ["error": "\(String(reflecting: error))"])
            return false
        }
    }

    static let purgeBatch = 5_000
}
