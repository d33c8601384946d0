/// Group commit: callers that arrive while a batch is being written wait, and the next batch writes all of them
/// at once, so a burst of N requests costs a few transactions instead of N. Nothing waits for a timer: a lone
/// request is written at once, and batches grow only while the store is busy.
///
/// There is no background task. Up to `concurrentBatches` callers lead at a time: a leader is handed what is
/// queued (its own input first), writes it, passes the lead with the next batch to the oldest caller still
/// waiting (or gives it up when nobody waits), and then hands every other caller of its batch its result. A caller
/// therefore waits at most for the batch in flight and its own.
public struct GroupCommit<Input: Sendable, Output: Sendable>: Sendable {
    /// Writes a batch and answers one result per input, in order.
    public typealias Write = @Sendable ([Input]) async -> [Result<Output, any Error>]

    let queue: GroupCommitQueue<Input, Output>
    let write: Write

    public init(maxBatch: Int = 64, concurrentBatches: Int = 2, write: @escaping Write) {
        self.queue = GroupCommitQueue(maxBatch: max(1, maxBatch), leaders: max(1, concurrentBatches))
        self.write = write
    }

    public func submit(_ input: Input) async throws -> Output {
        let others: [GroupCommitQueue<Input, Output>.Waiting]
        switch await queue.enqueue(input) {
        case .done(let result): return try result.get()
        case .lead(let batch): others = batch
        }
        let inputs = [input] + others.map(\.input)
        var results = await write(inputs)
        if results.count < inputs.count {
            results += Array(repeating: .failure(GroupCommitError.missingResult), count: inputs.count - results.count)
        }
        // The next batch first: its leader is resumed with its batch before this batch's callers, whose answers
        // would otherwise run ahead of it on the executor while the store idles.
        await queue.passLead()
        for (waiting, result) in zip(others, results.dropFirst()) { waiting.continuation.resume(returning: .done(result)) }
        return try results[0].get()
    }
}

public enum GroupCommitError: Error {
    /// The writer answered fewer results than it was given inputs.
    case missingResult
}

/// What a waiting caller is told: lead a batch with these other callers, or here is your result.
enum GroupCommitTurn<Input: Sendable, Output: Sendable>: Sendable {
    case lead([GroupCommitQueue<Input, Output>.Waiting])
    case done(Result<Output, any Error>)
}

/// The callers waiting for a batch and how many batches are being written.
actor GroupCommitQueue<Input: Sendable, Output: Sendable> {
    struct Waiting: Sendable {
        var input: Input
        var continuation: CheckedContinuation<GroupCommitTurn<Input, Output>, Never>
    }

    private let maxBatch: Int
    private let maximumLeaders: Int
    private var leaders = 0
    private var waiting: [Waiting] = []

    init(maxBatch: Int, leaders: Int) {
        self.maxBatch = maxBatch
        self.maximumLeaders = leaders
    }

    func enqueue(_ input: Input) async -> GroupCommitTurn<Input, Output> {
        if leaders < maximumLeaders {
            leaders += 1
            return .lead(takeBatch())
        }
        return await withCheckedContinuation { continuation in
            waiting.append(Waiting(input: input, continuation: continuation))
        }
    }

    /// Up to `maxBatch - 1` waiting callers, oldest first, to be written with the leader's own input.
    private func takeBatch() -> [Waiting] {
        let taken = Array(waiting.prefix(maxBatch - 1))
        waiting.removeFirst(taken.count)
        return taken
    }

    /// The leader is done: the oldest waiting caller leads the next batch, taken here, or there is one leader fewer.
    func passLead() {
        if waiting.isEmpty {
            leaders -= 1
        } else {
            let next = waiting.removeFirst()
            next.continuation.resume(returning: .lead(takeBatch()))
        }
    }
}
