import Database
import Testing

@Suite("Commit bell")
struct CommitBellTests {
    @Test("A ring before the wait is kept, once: the wait returns at once and the next one waits for a new ring")
    func ringBeforeWait() async throws {
        let bell = CommitBell()
        bell.ring()
        bell.ring()
        await bell.wait()
        let second = Task { await bell.wait() }
        try await Task.sleep(for: .milliseconds(100))
        bell.ring()
        await second.value
    }

    @Test("A waiting task wakes when the bell rings, and when it is cancelled")
    func wakesOnRingAndCancel() async throws {
        let bell = CommitBell()
        let rung = Task { await bell.wait() }
        try await Task.sleep(for: .milliseconds(50))
        bell.ring()
        await rung.value
        let cancelled = Task { await bell.wait() }
        try await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        await cancelled.value
    }
}
