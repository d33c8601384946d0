import ServiceKit
import Synchronization
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    /// Counts the batches written and how many were written at once.
    final class Recorder: Sendable {
        let state = Mutex<(batches: [Int], writing: Int, mostAtOnce: Int)>(([], 0, 0))

        func begin(_ size: Int) {
            state.withLock { state in
                state.batches.append(size)
                state.writing += 1
                state.mostAtOnce = max(state.mostAtOnce, state.writing)
            }
        }

        func end() { state.withLock { $0.writing -= 1 } }
    }

    @Test("Callers arriving together are written in a few batches, each caller gets its own result, and no more batches run at once than allowed")
    func batchesConcurrentCallers() async throws {
        let recorder = Recorder()
        let commit = GroupCommit<Int, Int>(maxBatch: 16, concurrentBatches: 2) { inputs in
            recorder.begin(inputs.count)
            try? await Task.sleep(for: .milliseconds(5))
            recorder.end()
            return inputs.map { $0 % 7 == 0 ? .failure(Refused(value: $0)) : .success($0 * 10) }
        }
        let answers = try await withThrowingTaskGroup(of: (Int, Int?).self) { group in
            for value in 1...200 {
                group.addTask {
                    do { return (value, try await commit.submit(value)) } catch is Refused { return (value, nil) }
                }
            }
            return try await group.reduce(into: [Int: Int?]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 200)
        for (value, answer) in answers { #expect(answer == (value % 7 == 0 ? nil : value * 10)) }
        let (batches, _, mostAtOnce) = recorder.state.withLock { $0 }
        #expect(batches.reduce(0, +) == 200, "every input written once")
        #expect(batches.count < 100, "callers waiting for a busy writer share batches")
        #expect(batches.allSatisfy { $0 <= 16 })
        #expect(mostAtOnce <= 2)
    }

    @Test("A lone caller is written at once, in a batch of its own")
    func loneCaller() async throws {
        let recorder = Recorder()
        let commit = GroupCommit<String, String> { inputs in
            recorder.begin(inputs.count)
            recorder.end()
            return inputs.map { .success($0.uppercased()) }
        }
        #expect(try await commit.submit("one") == "ONE")
        #expect(try await commit.submit("two") == "TWO")
        #expect(recorder.state.withLock { $0.batches } == [1, 1])
    }

    struct Refused: Error {
        var value: Int
    }
}
