import AsyncHTTPClient
import Hummingbird
import Logging
import ServiceKit
import ServiceLifecycle
import Testing
import TestSupport

@Suite("Graceful shutdown", .timeLimit(.minutes(1)))
struct GracefulShutdownTests {
    @Test("Shutting down lets an in-flight request finish with its answer, then the process's services stop")
    func inFlightRequestFinishes() async throws {
        let port = FreePort.next()
        let router = ServiceRouter.make(metrics: HTTPMetrics(), checks: [])
        let (started, arrived) = AsyncStream<Void>.makeStream()
        router.get("/slow") { _, _ -> String in
            arrived.yield()
            try await Task.sleep(for: .milliseconds(800))
            return "done"
        }
        let logger = Logger(label: "shutdown-test")
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let group = ServiceRunner.makeGroup([app], signals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while !FreePort.isOpen(port) { try await Task.sleep(for: .milliseconds(20)) }
            let request = Task { try await TestHTTP.shared.get("http://127.0.0.1:\(port)/slow") }
            var inFlight = started.makeAsyncIterator()
            _ = await inFlight.next()
            await group.triggerGracefulShutdown()
            let reply = try await request.value
            #expect(reply.status == 200)
            #expect(reply.text == "done")
            try await tasks.waitForAll()
            #expect(!FreePort.isOpen(port), "the server still listens after shutdown")
        }
    }

    @Test("A background worker pausing between rounds stops at once when the process shuts down gracefully")
    func workerPauseEndsAtShutdown() async throws {
        let logger = Logger(label: "shutdown-test")
        let (rounds, round) = AsyncStream<Void>.makeStream()
        let worker = BatchWorker("hourly work", every: .seconds(3600), gate: nil, logger: logger) {
            round.yield()
            return 0
        }
        let group = ServiceRunner.makeGroup([worker], signals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ran = rounds.makeAsyncIterator()
            _ = await ran.next()
            let asked = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            // The pause is an hour and the group's graceful limit 15 seconds: anything well under that ended at shutdown.
            #expect(ContinuousClock.now - asked < .seconds(10), "the pause held shutdown until the group cancelled it")
        }
    }
}
