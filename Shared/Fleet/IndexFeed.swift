import Contracts
import Database
import EventBus
import Foundation
import Logging
import NIOPosix
import Search
import ServiceKit
import ServiceLifecycle

/// A search index kept as a projection of PostgreSQL: rebuilt from the tables when it needs it, and brought up to
/// date document by document (always from the tables, so replays are harmless). A projection says how to read
/// documents; rebuilding and re-indexing are the same for every index.
public protocol SearchProjection: Sendable {
    var index: SearchIndex { get }
    /// The documents of the next batch in id order after `after` (nil: the first batch); empty at the end.
    func documents(after: UUID?) async throws -> [SearchDocument]
    /// The current documents of these ids; an id without one is gone (purged, merged away).
    func documents(ids: Set<UUID>) async throws -> [SearchDocument]
    /// Whether an event of this type can change the document its subject names (a view or a rating cannot).
    func changesDocument(_ eventType: String) -> Bool
}

extension SearchProjection {
    public func changesDocument(_ eventType: String) -> Bool { true }

    /// Re-indexes every document when the index needs it (missing, of another schema, or not closed cleanly).
    public func rebuildIfNeeded(logger: Logger) async throws {
        guard await index.needsRebuild else { return }
        let start = ContinuousClock.now
        var after: UUID?
        var count = 0
        while true {
            let documents = try await documents(after: after)
            guard let last = documents.last else { break }
            for (id, error) in try await write(documents) {
                logger.error("search index refused a document; it is left out until its next change", metadata: ["id": "\(id)", "error": "\(error)"])
            }
            let before = count
            count += documents.count
            after = UUID(parsing: last.id)
            if before / 100_000 != count / 100_000 { logger.info("search index rebuilding", metadata: ["documents": "\(count)"]) }
        }
        try await index.markBuilt()
        logger.info("search index rebuilt", metadata: ["documents": "\(count)", "duration": "\(ContinuousClock.now - start)"])
    }

    /// Writes these documents' current state into the index, and removes those that are gone. Answers the documents
    /// the index refused (id and error), which are left out: one document Xapian cannot take must not stop the rest.
    @discardableResult
    public func reindex(_ ids: Set<UUID>) async throws -> [(id: String, error: SearchError)] {
        guard !ids.isEmpty else { return [] }
        let documents = try await documents(ids: ids)
        let refused = try await write(documents)
        for id in Set(ids.map { $0.uuidString.lowercased() }).subtracting(documents.map(\.id)) { try await index.delete(id: id) }
        for (id, _) in refused { try await index.delete(id: id) }
        return refused
    }

    private func write(_ documents: [SearchDocument]) async throws -> [(id: String, error: SearchError)] {
        var refused: [(id: String, error: SearchError)] = []
        for document in documents {
            do {
                try await index.replace(document)
            } catch let error as SearchError where error.refusesDocument {
                refused.append((document.id, error))
            }
        }
        return refused
    }

    /// Re-indexes one document and commits, so that this instance's searches see it at once.
    public func reindex(_ id: UUID) async throws {
        try await reindex([id])
        try await index.commit()
    }
}

/// An instance's reader of its service's events (its own consumer group, so every instance sees every event):
/// builds the index when needed, then re-indexes the documents events name (the event subject) through an
/// ``IndexWriter``: a lone change at once, a stream of them in batches started at least `spacing` apart, so a change is
/// searchable well within a second and a burst of events about one document costs one re-index.
///
/// An event is acknowledged once its document is pending and the index is marked dirty, so if the instance stops
/// before the batch is written, the index is rebuilt when it starts again and nothing is missed.
///
/// Changes committed by this process itself need not wait for the outbox relay and the broker: given its database's
/// ``CommittedEvents``, the feed takes their documents the moment they commit, and skips the broker's copy of those
/// events when it arrives (``TakenEvents``).
public struct IndexFeed<Projection: SearchProjection>: Service {
    let projection: Projection
    let kafka: KafkaConfiguration
    let topic: String
    let groupID: String
    let gate: StartupGate?
    let committedEvents: CommittedEvents?
    let retryDelay: Duration
    let spacing: Duration
    let logger: Logger

    /// `name` and `instance` make the consumer group: "<name>-<instance>". `spacing` is the least time from the
    /// start of one write to the start of the next. `committedEvents`: this process's commits, taken before the broker
    /// brings them.
    public init(
        projection: Projection, kafka: KafkaConfiguration, topic: String, name: String, instance: String, gate: StartupGate?,
        committedEvents: CommittedEvents? = nil, retryDelay: Duration = .seconds(1), spacing: Duration = IndexFeedDefaults.spacing,
        logger: Logger
    ) {
        self.projection = projection
        self.kafka = kafka
        self.topic = topic
        self.groupID = "\(name)-\(instance)"
        self.gate = gate
        self.committedEvents = committedEvents
        self.retryDelay = retryDelay
        self.spacing = spacing
        self.logger = logger
    }

    public func run() async throws {
        await gate?.wait()
        try await projection.rebuildIfNeeded(logger: logger)
        let index = projection.index
        let documents = await index.documentCount()
        logger.info("search index ready", metadata: ["index": "\(groupID)", "documents": "\(documents)"])
        let path = index.path
        let warmed = try await NIOThreadPool.singleton.runIfActive { IndexPrefetch.warm(directory: path) }
        logger.info("search index files read into the page cache", metadata: ["index": "\(groupID)", "bytes": "\(warmed)"])
        let consumer = try KafkaConsumer(configuration: kafka, groupID: groupID, topics: [topic], logger: logger)
        let pending = PendingDocuments()
        let taken = TakenEvents()
        let writer = IndexWriter(projection: projection, pending: pending, spacing: spacing, retryDelay: retryDelay, logger: logger)
        let committed = committedEvents?.subscribe()
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await writer.run() }
                if let committed {
                    group.addTask { await take(committed, into: pending, noting: taken) }
                }
                try await consume(consumer, logger: logger) { message in
                    guard let header = try? CloudEventCoding.decodeHeader(message.value), projection.changesDocument(header.type),
                        let id = UUID(parsing: header.subject)
                    else { return }
                    if let eventID = UUID(parsing: header.id), await taken.remove(eventID) { return }
                    // Pending first: a write that takes the document writes it before any clean point, and one
                    // that marks the index clean without it is followed by this mark before the event is acknowledged.
                    await pending.add(id)
                    try await index.markDirty()
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await consumer.close() }
        }
        await consumer.close()
        try await writer.finish()
    }

    /// Takes the documents of this process's commits as they happen, a commit at a time. Its events count as taken
    /// (their broker copies will be skipped) only once their documents are pending and the index marked dirty, as the
    /// broker's copies would have left them.
    private func take(_ commits: AsyncStream<[CommittedEvent]>, into pending: PendingDocuments, noting taken: TakenEvents) async {
        for await events in commits {
            let documents = events.filter { $0.topic == topic && projection.changesDocument($0.type) }
                .compactMap { event in UUID(parsing: event.subject).map { (event: event.id, document: $0) } }
            guard !documents.isEmpty else { continue }
            await pending.add(Set(documents.map(\.document)))
            do {
                try await projection.index.markDirty()
                await taken.insert(documents.map(\.event))
            } catch {
                logger.warning("marking the search index dirty failed; the broker's copies of the events will be used", metadata: ["error": "\(error)"])
            }
        }
    }
}
