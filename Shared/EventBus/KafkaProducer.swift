import CRdKafka
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Idempotent producer for the outbox relay: every `send` answers, per message, whether the broker
/// acknowledged it, and never throws.
///
/// Delivery reports arrive as events on the main queue, polled by one thread this producer owns.
/// The librdkafka instance is replaced by a fresh one, so that later sends work again, when
/// - it hits a fatal error (the idempotent producer gives up, e.g. on a sequence gap);
/// - the broker keeps answering UNKNOWN_PRODUCER_ID (Tansu restarted empty): librdkafka would
///   retry with a bumped epoch until `message.timeout.ms`, for every message, forever;
/// - a delivery timed out (at most every 10 s), as a safety net for states we do not recognise.
/// Messages the old instance still held are reported failed; the outbox retries them.
/// Call `shutdown()` (or run the producer as a `Service`) when done.
public final class KafkaProducer: Sendable, Service {
    private enum Lifecycle {
        case running
        case shuttingDown(Task<Void, Never>)
        case shutDown
    }

    private struct State {
        var handle: RdKafkaHandle?
        /// Counts instance replacements; pending messages remember which instance has them.
        var generation: UInt64 = 0
        var tracker = DeliveryTracker()
        var lifecycle = Lifecycle.running
        /// Set when a produce call saw a fatal error; the poller replaces the instance.
        var replacementRequested = false
        var pollerShouldStop = false
        var replacements = 0
        var lastReplacement: ContinuousClock.Instant?
        var unknownProducerIDSightings: [ContinuousClock.Instant] = []
        /// When the broker last acknowledged a message (the producer's start before any).
        var lastAcknowledged = Date()
        /// Set when an instance was replaced: the broker may have lost what it acknowledged up to then (Tansu keeps
        /// messages in memory, so a restart loses every one its consumers had not read yet). Taken by the relay.
        var mayHaveLostSince: Date?

        var isRunning: Bool {
            if case .running = lifecycle { return true }
            return false
        }
    }

    private enum ProduceOutcome {
        case queued
        case queueFull
        case failed(KafkaError)
    }

    /// How long one message may wait for room in librdkafka's queue (100,000 messages or 1 GiB)
    /// before it fails; a full queue means the broker has been unreachable for a while.
    private static let queueFullBudget = Duration.seconds(2)
    private static let pollTimeoutMs: Int32 = 100
    private static let flushTimeoutMs: Int32 = 5000
    /// librdkafka answers one UNKNOWN_PRODUCER_ID by bumping its epoch, which works with Kafka; the
    /// same error again and again means the broker does not know the producer id at all.
    private static let unknownProducerIDLimit = 3
    private static let unknownProducerIDWindow = Duration.seconds(10)
    /// Timed-out deliveries replace the instance at most this often, so an outage does not churn instances.
    private static let timeoutReplacementInterval = Duration.seconds(10)

    private let properties: [String: String]
    private let logger: Logger
    private let state: Mutex<State>
    /// One dedicated thread for the poll loop: it blocks in rd_kafka_queue_poll and must not
    /// occupy a thread of the shared pools.
    private let pollerThread: NIOThreadPool

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        try LibRdKafka.requireSupportedVersion()
        self.properties = configuration.producerProperties
        self.logger = logger
        let handle = try RdKafkaHandle.make(RD_KAFKA_PRODUCER, properties: properties, events: RD_KAFKA_EVENT_DR)
        self.state = Mutex(State(handle: handle))
        self.pollerThread = NIOThreadPool(numberOfThreads: 1)
        pollerThread.start()
        logger.info("Kafka producer started", metadata: ["librdkafka": "\(LibRdKafka.versionString)"])
        pollerThread.submit { [self] state in
            guard case .active = state else { return }
            self.pollLoop()
        }
    }

    /// Produces all messages and returns one result per message, in order, once every delivery
    /// report arrived (success, failure or `message.timeout.ms` expiry). Cancelling the calling task
    /// does not cut the wait short: the results say what the broker has.
    public func send(_ messages: [OutgoingMessage]) async -> [Result<Void, KafkaError>] {
        guard !messages.isEmpty else { return [] }
        let batch = state.withLock { state -> UInt64? in
            guard state.isRunning else { return nil }
            return state.tracker.beginBatch(count: messages.count)
        }
        guard let batch else {
            return Array(repeating: .failure(.producerShutDown), count: messages.count)
        }
        for (index, message) in messages.enumerated() {
            await produce(message, batch: batch, index: index)
        }
        return await withCheckedContinuation { continuation in
            let completion = state.withLock {
                $0.tracker.waitForReports(batch: batch, count: messages.count, continuation: continuation)
            }
            completion?.continuation.resume(returning: completion?.results ?? [])
        }
    }

    /// Waits for graceful shutdown (or cancellation), then shuts down.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Flushes for at most 5 s, fails whatever is still unacknowledged, and destroys the instance.
    /// Safe to call more than once and from several tasks; all of them return when it is done.
    public func shutdown() async {
        let task = state.withLock { state -> Task<Void, Never>? in
            switch state.lifecycle {
            case .running:
                let task = Task { await self.performShutdown() }
                state.lifecycle = .shuttingDown(task)
                return task
            case .shuttingDown(let task):
                return task
            case .shutDown:
                return nil
            }
        }
        await task?.value
    }

    // MARK: - Producing

    private func produce(_ message: OutgoingMessage, batch: UInt64, index: Int) async {
        let deadline = ContinuousClock.now + Self.queueFullBudget
        while true {
            let outcome = state.withLock { state -> ProduceOutcome in
                guard state.isRunning, let handle = state.handle else { return .failed(.producerShutDown) }
                let messageID = state.tracker.register(batch: batch, index: index, generation: state.generation)
                // Produced under the lock so that the instance cannot be replaced between being read
                // and being used, and a delivery report cannot be handled before it is registered.
                guard let error = Self.produce(message, messageID: messageID, on: handle) else { return .queued }
                state.tracker.unregister(messageID)
                if error.responseError == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
                if error.isFatal || error.responseError == RD_KAFKA_RESP_ERR__FATAL {
                    state.replacementRequested = true
                }
                return .failed(error)
            }
            switch outcome {
            case .queued:
                return
            case .queueFull where ContinuousClock.now < deadline && !Task.isCancelled:
                // The poller keeps serving delivery reports, which frees room.
                try? await Task.sleep(for: .milliseconds(20))
            case .queueFull:
                fail(batch: batch, index: index, KafkaError(RD_KAFKA_RESP_ERR__QUEUE_FULL))
                return
            case .failed(let error):
                fail(batch: batch, index: index, error)
                return
            }
        }
    }

    private func fail(batch: UInt64, index: Int, _ error: KafkaError) {
        let completion = state.withLock { $0.tracker.fail(batch: batch, index: index, error) }
        completion?.continuation.resume(returning: completion?.results ?? [])
    }

    /// Returns nil when librdkafka accepted the message. The payload is copied (RD_KAFKA_MSG_F_COPY),
    /// so the Swift buffers may go away as soon as this returns.
    private static func produce(_ message: OutgoingMessage, messageID: UInt64, on handle: RdKafkaHandle) -> KafkaError? {
        var key = message.key
        return message.topic.withCString { topic in
            key.withUTF8 { keyBytes in
                message.value.withUnsafeBytes { valueBytes in
                    var arguments = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 5)
                    arguments[0].vtype = RD_KAFKA_VTYPE_TOPIC
                    arguments[0].u.cstr = topic
                    // An empty key is sent as a null key, so such messages are spread over partitions.
                    arguments[1].vtype = RD_KAFKA_VTYPE_KEY
                    arguments[1].u.mem.ptr = keyBytes.isEmpty ? nil : UnsafeMutableRawPointer(mutating: keyBytes.baseAddress)
                    arguments[1].u.mem.size = keyBytes.count
                    arguments[2].vtype = RD_KAFKA_VTYPE_VALUE
                    arguments[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes.baseAddress)
                    arguments[2].u.mem.size = valueBytes.count
                    arguments[3].vtype = RD_KAFKA_VTYPE_OPAQUE
                    arguments[3].u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(messageID))
                    arguments[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    arguments[4].u.i = RD_KAFKA_MSG_F_COPY
                    guard let error = rd_kafka_produceva(handle.kafka, arguments, arguments.count) else { return nil }
                    return KafkaError(consuming: error)
                }
            }
        }
    }

    // MARK: - Polling (on pollerThread only)

    private func pollLoop() {
        while true {
            let (handle, replace) = state.withLock { state -> (RdKafkaHandle?, Bool) in
                guard !state.pollerShouldStop else { return (nil, false) }
                let replace = state.replacementRequested && state.isRunning
                state.replacementRequested = false
                return (state.handle, replace)
            }
            guard let handle else { return }
            if replace {
                replaceInstance(handle, reason: handle.fatalError)
                continue
            }
            guard let event = rd_kafka_queue_poll(handle.mainQueue, Self.pollTimeoutMs) else { continue }
            let problem = serve(event, from: handle, detectProblems: true)
            rd_kafka_event_destroy(event)
            if let problem { replaceInstance(handle, reason: problem) }
        }
    }

    /// Handles one event. With `detectProblems`, returns why the instance should be replaced, if it should.
    private func serve(_ event: OpaquePointer, from handle: RdKafkaHandle, detectProblems: Bool) -> KafkaError? {
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_DR:
            var reports: [(UInt64, rd_kafka_resp_err_t)] = []
            reports.reserveCapacity(rd_kafka_event_message_count(event))
            while let message = rd_kafka_event_message_next(event) {
                let messageID = UInt64(UInt(bitPattern: message.pointee._private))
                reports.append((messageID, message.pointee.err))
            }
            let fatal =
                reports.contains { $0.1 == RD_KAFKA_RESP_ERR__FATAL }
                ? (handle.fatalError ?? KafkaError(RD_KAFKA_RESP_ERR__FATAL, isFatal: true)) : nil
            let timedOut = reports.contains { $0.1 == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT }
            let results = reports.map { messageID, code -> (UInt64, Result<Void, KafkaError>) in
                switch code {
                case RD_KAFKA_RESP_ERR_NO_ERROR: return (messageID, .success(()))
                case RD_KAFKA_RESP_ERR__FATAL: return (messageID, .failure(fatal ?? KafkaError(code, isFatal: true)))
                default: return (messageID, .failure(KafkaError(code)))
                }
            }
            let acknowledged = reports.contains { $0.1 == RD_KAFKA_RESP_ERR_NO_ERROR }
            let completions = state.withLock { state in
                if acknowledged { state.lastAcknowledged = Date() }
                return results.compactMap { state.tracker.deliver(messageID: $0.0, $0.1) }
            }
            for completion in completions { completion.continuation.resume(returning: completion.results) }
            guard detectProblems else { return nil }
            if let fatal { return fatal }
            return timedOut ? timeoutReplacementReason() : nil
        case RD_KAFKA_EVENT_ERROR:
            RdKafkaEvents.logGeneric(event, logger: logger)
            guard detectProblems, rd_kafka_event_error_is_fatal(event) != 0 else { return nil }
            return handle.fatalError ?? RdKafkaEvents.errorOf(event)
        default:
            let facility = RdKafkaEvents.logGeneric(event, logger: logger)
            return detectProblems && facility == "UNKPID" ? unknownProducerIDReason() : nil
        }
    }

    /// After an instance was replaced (the broker restarted empty, a fatal error, deliveries timing out), when the
    /// broker last acknowledged a message before that: what it acknowledged around then may be gone with it. Answered
    /// once; nil when nothing was replaced since the last call.
    public func takeMayHaveLostSince() -> Date? {
        state.withLock { state in
            defer { state.mayHaveLostSince = nil }
            return state.mayHaveLostSince
        }
    }

    /// A broker that restarted empty (Tansu keeps everything in memory) no longer knows our producer
    /// id; librdkafka retries with a bumped epoch forever and every message times out. Only a new
    /// instance, which asks for a new producer id, gets through.
    private func unknownProducerIDReason() -> KafkaError? {
        let now = ContinuousClock.now
        let count = state.withLock { state in
            state.unknownProducerIDSightings.removeAll { now - $0 > Self.unknownProducerIDWindow }
            state.unknownProducerIDSightings.append(now)
            return state.unknownProducerIDSightings.count
        }
        guard count >= Self.unknownProducerIDLimit else { return nil }
        return KafkaError(
            RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID,
            "the broker keeps answering UNKNOWN_PRODUCER_ID: it lost the idempotent producer's state (restarted empty?)"
        )
    }

    /// Safety net for states we cannot recognise: after a delivery timed out, a new instance starts
    /// from a clean connection and producer id. Harmless during an outage (it fails the same way).
    private func timeoutReplacementReason() -> KafkaError? {
        let now = ContinuousClock.now
        let due = state.withLock { state in
            state.lastReplacement.map { now - $0 > Self.timeoutReplacementInterval } ?? true
        }
        guard due else { return nil }
        return KafkaError(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, "a delivery timed out after message.timeout.ms")
    }

    /// Swaps in a fresh librdkafka instance, fails what the old one still had, and destroys the old
    /// one. Runs on the poller thread, the only user of the old instance once it is swapped out.
    private func replaceInstance(_ old: RdKafkaHandle, reason: KafkaError?) {
        // During shutdown the instance is being flushed on another thread; leave it alone.
        guard state.withLock({ $0.isRunning }) else { return }
        let reason = reason ?? KafkaError(RD_KAFKA_RESP_ERR__FATAL, "fatal error", isFatal: true)
        logger.log(
            level: reason.isFatal ? .error : .warning,
            "Kafka producer is replacing its librdkafka instance; unacknowledged messages fail and are retried by the caller",
            metadata: ["reason": "\(reason)"]
        )
        let replacement: RdKafkaHandle
        do {
            replacement = try RdKafkaHandle.make(RD_KAFKA_PRODUCER, properties: properties, events: RD_KAFKA_EVENT_DR)
        } catch {
            logger.error("Kafka producer could not create a new librdkafka instance", metadata: ["error": "\(error)"])
            state.withLock { $0.replacementRequested = true }
            // Wait (serving the old queue meanwhile) before trying again instead of spinning.
            if let event = rd_kafka_queue_poll(old.mainQueue, 1000) {
                _ = serve(event, from: old, detectProblems: false)
                rd_kafka_event_destroy(event)
            }
            return
        }
        let oldGeneration = state.withLock { state -> UInt64? in
            guard state.isRunning, state.handle == old else { return nil }
            state.handle = replacement
            state.generation += 1
            state.replacements += 1
            state.lastReplacement = .now
            state.unknownProducerIDSightings.removeAll()
            state.mayHaveLostSince = min(state.mayHaveLostSince ?? state.lastAcknowledged, state.lastAcknowledged)
            return state.generation - 1
        }
        guard let oldGeneration else {
            replacement.destroy(logger: logger)
            return
        }
        // New sends go to the replacement now. Reports the old instance already queued are still
        // true (e.g. successes queued behind a fatal error), so serve them before failing the rest.
        while let event = rd_kafka_queue_poll(old.mainQueue, 0) {
            _ = serve(event, from: old, detectProblems: false)
            rd_kafka_event_destroy(event)
        }
        let completions = state.withLock { $0.tracker.failAllPending(generation: oldGeneration, reason) }
        for completion in completions { completion.continuation.resume(returning: completion.results) }
        // Nobody reads the old queue any more, so purge instead of waiting for reports nobody handles.
        rd_kafka_purge(old.kafka, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING)
        old.destroy(logger: logger)
        logger.notice("Kafka producer replaced its librdkafka instance")
    }

    // MARK: - Testing

    /// How often the instance was replaced.
    var instanceReplacements: Int { state.withLock { $0.replacements } }

    /// Puts the current instance into librdkafka's fatal-error state, as a broker that lost the
    /// producer's state could.
    func triggerFatalErrorForTesting() {
        // Under the lock, as produce does: the poller could otherwise replace and destroy the instance while
        // librdkafka is still raising the error on it (a use after free that aborted the test process).
        state.withLock { state in
            guard let handle = state.handle else { return }
            _ = rd_kafka_test_fatal_error(handle.kafka, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "EventBus test")
        }
    }

    // MARK: - Shutdown

    private func performShutdown() async {
        guard let handle = state.withLock({ $0.handle }) else { return }
        // With delivery reports as events, flush only waits until the queues are empty while the
        // poller keeps serving them, so the poller must still run here.
        let flushResult = await runBlocking { rd_kafka_flush(handle.kafka, Self.flushTimeoutMs) }
        if flushResult != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning(
                "Kafka producer flush did not finish; unacknowledged messages are reported as failed",
                metadata: ["pending": "\(state.withLock { $0.tracker.pendingCount })"]
            )
        }
        state.withLock { $0.pollerShouldStop = true }
        // The poller thread runs one job at a time, so this returns once the poll loop has ended.
        _ = await runBlocking(on: pollerThread) {}
        let current = state.withLock { $0.handle } ?? handle
        _ = await runBlocking {
            while let event = rd_kafka_queue_poll(current.mainQueue, 0) {
                _ = self.serve(event, from: current, detectProblems: false)
                rd_kafka_event_destroy(event)
            }
        }
        let completions = state.withLock { state in
            state.handle = nil
            state.lifecycle = .shutDown
            return state.tracker.failAllPending(.producerShutDown)
        }
        for completion in completions { completion.continuation.resume(returning: completion.results) }
        _ = await runBlocking {
            rd_kafka_purge(current.kafka, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING)
            current.destroy(logger: self.logger)
        }
        try? await pollerThread.shutdownGracefully()
        logger.debug("Kafka producer shut down")
    }
}
