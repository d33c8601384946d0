import CRdKafka
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A consumer-group member that reads `topics` as an `AsyncSequence`.
///
/// Offsets are never stored automatically: call `markProcessed` once the handler's effect has
/// committed, and auto-commit sends what was stored. Iterating polls librdkafka on a thread this
/// consumer owns, so consuming never blocks the cooperative pool and slows down when the handler
/// does (no unbounded buffer). Iteration ends after `close()` or when the iterating task is cancelled.
/// Call `close()` when done, or run the consumer as a `Service`, which closes it on graceful shutdown.
public final class KafkaConsumer: Sendable, AsyncSequence, Service {
    public typealias Element = ConsumedMessage

    private struct State {
        /// nil once destroyed: no librdkafka call may use it after that.
        var handle: RdKafkaHandle?
        /// Set by close(): polling stops, so iteration ends.
        var closing = false
        var closeTask: Task<Void, Never>?
    }

    private static let pollTimeoutMs: Int32 = 100
    private static let maxBatch = 500
    private static let seekTimeoutMs: Int32 = 5000

    public let groupID: String
    public let topics: [String]
    private let logger: Logger
    private let state: Mutex<State>
    /// Every blocking call (poll, commit, seek, close, destroy) runs on this single thread, one at a
    /// time, so none of them can overlap the destroy that ends the instance.
    private let thread: NIOThreadPool

    public init(configuration: KafkaConfiguration, groupID: String, topics: [String], logger: Logger) throws {
        try LibRdKafka.requireSupportedVersion()
        guard !topics.isEmpty else {
            throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, "a consumer needs at least one topic")
        }
        var logger = logger
        logger[metadataKey: "kafka.group"] = "\(groupID)"
        let handle = try RdKafkaHandle.make(
            RD_KAFKA_CONSUMER,
            properties: configuration.consumerProperties(groupID: groupID),
            events: 0
        )
        if let error = Self.subscribe(handle, to: topics) {
            // Not a member of any group yet, so there is nothing for consumer_close to wait for.
            rd_kafka_queue_destroy(handle.mainQueue)
            rd_kafka_destroy_flags(handle.kafka, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
            throw error
        }
        self.groupID = groupID
        self.topics = topics
        self.logger = logger
        self.state = Mutex(State(handle: handle))
        self.thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        logger.debug("Kafka consumer subscribed", metadata: ["kafka.topics": "\(topics)"])
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: self)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        private let consumer: KafkaConsumer
        private var buffer: [ConsumedMessage] = []
        private var position = 0

        fileprivate init(consumer: KafkaConsumer) {
            self.consumer = consumer
        }

        public mutating func next() async -> ConsumedMessage? {
            while true {
                // Checked before the buffer too: after close() nothing more is handed out, since
                // such a message could no longer be marked processed.
                guard !Task.isCancelled, !consumer.isClosing else { return nil }
                if position < buffer.count {
                    defer { position += 1 }
                    return buffer[position]
                }
                guard let batch = await consumer.pollBatch() else { return nil }
                buffer = batch
                position = 0
            }
        }

        /// Makes `message` the next one delivered for its partition: seeks back and drops what was
        /// already fetched after it. Throws (and keeps the buffer) when the seek failed.
        mutating func rewind(to message: ConsumedMessage) async throws {
            try await consumer.seek(to: message)
            let remaining = buffer[position...].filter {
                $0.topic != message.topic || $0.partition != message.partition
            }
            buffer = Array(remaining)
            position = 0
        }
    }

    /// Stores `message.offset + 1` for its partition; auto-commit (or `commitStored`) commits it.
    /// Call it only after the handler's effect committed.
    public func markProcessed(_ message: ConsumedMessage) throws {
        let error = state.withLock { state -> KafkaError? in
            guard let handle = state.handle else { return .consumerClosed }
            // Under the lock: close() clears the handle under the same lock before destroying it.
            return Self.storeOffset(message.offset + 1, topic: message.topic, partition: message.partition, on: handle)
        }
        if let error { throw error }
    }

    /// Commits the stored offsets now and waits for the broker's answer.
    public func commitStored() async throws {
        let error = await runBlocking(on: thread) { () -> KafkaError? in
            guard let handle = self.state.withLock({ $0.handle }) else { return .consumerClosed }
            let code = rd_kafka_commit(handle.kafka, nil, 0)
            // _NO_OFFSET: nothing stored since the last commit, which is not a failure.
            guard code != RD_KAFKA_RESP_ERR_NO_ERROR, code != RD_KAFKA_RESP_ERR__NO_OFFSET else { return nil }
            return KafkaError(code)
        }
        if let error = error ?? .consumerClosed { throw error }
    }

    /// Leaves the group (committing the stored offsets) and destroys the instance. Iteration ends.
    /// Safe to call more than once and from several tasks; all of them return when it is done.
    public func close() async {
        let task = state.withLock { state -> Task<Void, Never> in
            if let task = state.closeTask { return task }
            state.closing = true
            let task = Task { await self.performClose() }
            state.closeTask = task
            return task
        }
        await task.value
    }

    /// Waits for graceful shutdown (or cancellation), then closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    fileprivate var isClosing: Bool { state.withLock { $0.closing } }

    // MARK: - Blocking work, on `thread` only

    /// nil: closed or cancelled, iteration ends. Empty: nothing arrived within the poll timeout.
    private func pollBatch() async -> [ConsumedMessage]? {
        do {
            return try await thread.runIfActive { self.pollBatchBlocking() }
        } catch {
            return nil  // cancelled before it ran, or the thread is gone after close()
        }
    }

    private func pollBatchBlocking() -> [ConsumedMessage]? {
        guard let handle = state.withLock({ $0.closing ? nil : $0.handle }) else { return nil }
        handle.serveMainQueue(logger: logger)
        var messages: [ConsumedMessage] = []
        var timeout = Self.pollTimeoutMs
        // Wait for the first message only; then take what is already fetched, to hop threads once per batch.
        while messages.count < Self.maxBatch, let message = rd_kafka_consumer_poll(handle.kafka, timeout) {
            timeout = 0
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                messages.append(ConsumedMessage(copying: message))
            } else {
                logConsumerError(message)
            }
            rd_kafka_message_destroy(message)
        }
        return messages
    }

    private func logConsumerError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let code = message.pointee.err
        guard code != RD_KAFKA_RESP_ERR__PARTITION_EOF else { return }
        let error = KafkaError(code, String(cString: rd_kafka_message_errstr(message)))
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "-"
        logger.log(
            level: error.isTransientConnectivity ? .debug : .warning,
            "Kafka consumer error",
            metadata: ["error": "\(error)", "kafka.topic": "\(topic)", "kafka.partition": "\(message.pointee.partition)"]
        )
    }

    fileprivate func seek(to message: ConsumedMessage) async throws {
        let error = await runBlocking(on: thread) { () -> KafkaError? in
            guard let handle = self.state.withLock({ $0.closing ? nil : $0.handle }) else { return .consumerClosed }
            guard let list = rd_kafka_topic_partition_list_new(1) else {
                return KafkaError(RD_KAFKA_RESP_ERR__FAIL, "rd_kafka_topic_partition_list_new failed")
            }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let element = rd_kafka_topic_partition_list_add(list, message.topic, message.partition)
            element?.pointee.offset = message.offset
            if let error = rd_kafka_seek_partitions(handle.kafka, list, Self.seekTimeoutMs) {
                return KafkaError(consuming: error)
            }
            let code = element?.pointee.err ?? RD_KAFKA_RESP_ERR_NO_ERROR
            return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(code)
        }
        if let error = error ?? .consumerClosed { throw error }
    }

    private func performClose() async {
        _ = await runBlocking(on: thread) {
            guard let handle = self.state.withLock({ $0.handle }) else { return }
            let code = rd_kafka_consumer_close(handle.kafka)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                self.logger.warning("Kafka consumer close failed", metadata: ["error": "\(KafkaError(code))"])
            }
            self.state.withLock { $0.handle = nil }
            handle.destroy(logger: self.logger)
        }
        try? await thread.shutdownGracefully()
        logger.debug("Kafka consumer closed")
    }

    // MARK: - Non-blocking helpers

    private static func subscribe(_ handle: RdKafkaHandle, to topics: [String]) -> KafkaError? {
        guard let list = rd_kafka_topic_partition_list_new(Int32(topics.count)) else {
            return KafkaError(RD_KAFKA_RESP_ERR__FAIL, "rd_kafka_topic_partition_list_new failed")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for topic in topics {
            // -1 is RD_KAFKA_PARTITION_UA: partitions come from the group assignment.
            rd_kafka_topic_partition_list_add(list, topic, -1)
        }
        let code = rd_kafka_subscribe(handle.kafka, list)
        return code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(code, "subscribe to \(topics) failed")
    }

    private static func storeOffset(_ offset: Int64, topic: String, partition: Int32, on handle: RdKafkaHandle) -> KafkaError? {
        guard let list = rd_kafka_topic_partition_list_new(1) else {
            return KafkaError(RD_KAFKA_RESP_ERR__FAIL, "rd_kafka_topic_partition_list_new failed")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let element = rd_kafka_topic_partition_list_add(list, topic, partition)
        element?.pointee.offset = offset
        let code = rd_kafka_offsets_store(handle.kafka, list)
        // A partition that is no longer assigned to us fails on its own element (_STATE).
        let elementCode = element?.pointee.err ?? RD_KAFKA_RESP_ERR_NO_ERROR
        if code != RD_KAFKA_RESP_ERR_NO_ERROR || elementCode != RD_KAFKA_RESP_ERR_NO_ERROR {
            let failed = elementCode != RD_KAFKA_RESP_ERR_NO_ERROR ? elementCode : code
            return KafkaError(
                failed, "storing offset \(offset) for \(topic) [\(partition)] failed: \(String(cString: rd_kafka_err2str(failed)))")
        }
        return nil
    }
}
