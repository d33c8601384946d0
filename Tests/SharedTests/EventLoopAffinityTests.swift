import Hummingbird
import HummingbirdCore
import Logging
import NIOPosix
import ServiceKit
import ServiceLifecycle
import Testing
import TestSupport

@Suite("Requests on their connections' event loops", .timeLimit(.minutes(1)))
struct EventLoopAffinityTests {
    /// Serves `/where` answering whether the handler ran on an event loop thread, and whether it resumed on the same one
    /// after a suspension, then shuts the server down gracefully.
    static func probe(onEventLoops: Bool) async throws -> String {
        let port = FreePort.next()
        let router = Router()
        router.get("/where") { _, _ -> String in
            let before = MultiThreadedEventLoopGroup.currentEventLoop.map { ObjectIdentifier($0) }
            try await Task.sleep(for: .milliseconds(5))
            let after = MultiThreadedEventLoopGroup.currentEventLoop.map { ObjectIdentifier($0) }
            return before == nil ? "pool" : (before == after ? "same loop" : "other loop")
        }
        let logger = Logger(label: "affinity-test")
        let app = Application(
            router: router, server: .http1(configuration: .init(), onEventLoops: onEventLoops),
            configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let group = ServiceRunner.makeGroup([app], signals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while !FreePort.isOpen(port) { try await Task.sleep(for: .milliseconds(20)) }
            let answer = try await TestHTTP.shared.get("http://127.0.0.1:\(port)/where").text
            let asked = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            // Well under the group's 15-second graceful limit: a hang would reach it; a loaded machine may take seconds.
            #expect(ContinuousClock.now - asked < .seconds(10), "graceful shutdown hung")
            return answer
        }
    }

    @Test("With the option on, a handler runs on its connection's event loop and resumes there after awaiting")
    func onEventLoops() async throws {
        #expect(try await Self.probe(onEventLoops: true) == "same loop")
    }

    @Test("With the option off, handlers run on Swift's global executor")
    func onThePool() async throws {
        #expect(try await Self.probe(onEventLoops: false) == "pool")
    }
}
