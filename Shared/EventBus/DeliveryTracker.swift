/// Book-keeping that joins delivery reports back to the `send` call that produced the messages.
///
/// Each produced message carries an integer id as its librdkafka opaque (never a retained object,
/// so a report that never arrives leaks nothing). The tracker is a plain value: the producer keeps
/// it inside its lock and resumes the returned continuations after releasing the lock.
struct DeliveryTracker {
    typealias Results = [Result<Void, KafkaError>]
    typealias Completion = (continuation: CheckedContinuation<Results, Never>, results: Results)

    private struct Batch {
        var results: [Result<Void, KafkaError>?]
        var remaining: Int
        var continuation: CheckedContinuation<Results, Never>?
    }

    private var batches: [UInt64: Batch] = [:]
    /// message id -> (batch id, index in batch, generation of the librdkafka instance that has it)
    private var pending: [UInt64: (batch: UInt64, index: Int, generation: UInt64)] = [:]
    // 0 is reserved: as an opaque pointer it would read back as NULL.
    private var nextID: UInt64 = 1

    var pendingCount: Int { pending.count }

    mutating func beginBatch(count: Int) -> UInt64 {
        let id = makeID()
        batches[id] = Batch(results: Array(repeating: nil, count: count), remaining: count, continuation: nil)
        return id
    }

    /// Registers a message that is about to be produced on instance `generation` and returns its opaque id.
    mutating func register(batch: UInt64, index: Int, generation: UInt64 = 0) -> UInt64 {
        let id = makeID()
        pending[id] = (batch, index, generation)
        return id
    }

    /// Undoes `register` for a message that librdkafka refused, so it can be retried or failed.
    mutating func unregister(_ messageID: UInt64) {
        pending[messageID] = nil
    }

    /// Records the outcome of one message that never reached librdkafka.
    mutating func fail(batch: UInt64, index: Int, _ error: KafkaError) -> Completion? {
        complete(batch: batch, index: index, .failure(error))
    }

    /// Records a delivery report. Unknown ids (already failed, e.g. by a handle replacement) are ignored.
    mutating func deliver(messageID: UInt64, _ result: Result<Void, KafkaError>) -> Completion? {
        guard let entry = pending.removeValue(forKey: messageID) else { return nil }
        return complete(batch: entry.batch, index: entry.index, result)
    }

    /// Fails every message still waiting for a report from instance `generation` (all instances
    /// when nil), e.g. because that instance is being destroyed.
    mutating func failAllPending(generation: UInt64? = nil, _ error: KafkaError) -> [Completion] {
        let entries = pending.filter { generation == nil || $0.value.generation == generation }
        for id in entries.keys { pending[id] = nil }
        return entries.values.compactMap { complete(batch: $0.batch, index: $0.index, .failure(error)) }
    }

    /// Called by `send` once every message was handed to librdkafka (or failed). Returns the results
    /// right away when all reports already arrived; otherwise keeps the continuation for later.
    mutating func waitForReports(
        batch: UInt64,
        count: Int,
        continuation: CheckedContinuation<Results, Never>
    ) -> Completion? {
        guard var entry = batches[batch] else {
            return (continuation, Array(repeating: .failure(Self.missingReport), count: count))
        }
        guard entry.remaining == 0 else {
            entry.continuation = continuation
            batches[batch] = entry
            return nil
        }
        batches[batch] = nil
        return (continuation, entry.results.map { $0 ?? .failure(Self.missingReport) })
    }

    /// The batch is taken out of `batches` while its result is written, so that its results are not shared with the
    /// dictionary's copy: written in place, a batch of n messages costs n writes instead of n copies of n results.
    private mutating func complete(batch: UInt64, index: Int, _ result: Result<Void, KafkaError>) -> Completion? {
        guard var entry = batches.removeValue(forKey: batch) else { return nil }
        guard entry.results.indices.contains(index), entry.results[index] == nil else {
            batches[batch] = entry
            return nil
        }
        entry.results[index] = result
        entry.remaining -= 1
        guard entry.remaining == 0, let continuation = entry.continuation else {
            batches[batch] = entry
            return nil
        }
        batches[batch] = nil
        return (continuation, entry.results.map { $0 ?? .failure(Self.missingReport) })
    }

    private mutating func makeID() -> UInt64 {
        defer { nextID &+= 1 }
        return nextID
    }

    private static let missingReport = KafkaError(code: -1, message: "no delivery report was recorded")
}
