import Logging
import ServiceKit
import Synchronization
import Testing

@Suite("Polling loop")
struct PollingLoopTests {
    /// Keeps the levels of what was logged.
    struct CapturingHandler: LogHandler {
        let levels: Levels
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) { levels.append(event.level) }
    }

    final class Levels: Sendable {
        private let seen = Mutex<[Logger.Level]>([])
        func append(_ level: Logger.Level) { seen.withLock { $0.append(level) } }
        var all: [Logger.Level] { seen.withLock { $0 } }
    }

    struct RoundFailed: Error {}

    @Test("A failed round is logged as an error and the next one runs")
    func failedRound() async {
        let levels = Levels()
        let logger = Logger(label: "test") { _ in CapturingHandler(levels: levels) }
        let rounds = Mutex(0)
        let loop = Task {
            await PollingLoop.run(pause: .milliseconds(1), gate: nil, logger: logger, what: "work") {
                let round = rounds.withLock { $0 += 1; return $0 }
                if round < 3 { throw RoundFailed() }
                try await Task.sleep(for: .seconds(30))
            }
        }
        while rounds.withLock({ $0 }) < 3 { try? await Task.sleep(for: .milliseconds(5)) }
        loop.cancel()
        await loop.value
        #expect(levels.all.filter { $0 == .error }.count == 2)
    }

    @Test("A round that fails because the service is stopping ends the loop with a notice, not an error")
    func stopping() async {
        let levels = Levels()
        let logger = Logger(label: "test") { _ in CapturingHandler(levels: levels) }
        let started = Mutex(false)
        let loop = Task {
            await PollingLoop.run(pause: .seconds(30), gate: nil, logger: logger, what: "listening") {
                started.withLock { $0 = true }
                try await Task.sleep(for: .seconds(30))
            }
        }
        while !started.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
        let cancelled = ContinuousClock.now
        loop.cancel()
        await loop.value
        #expect(ContinuousClock.now - cancelled < .seconds(5))
        #expect(levels.all == [.notice])
    }
}
