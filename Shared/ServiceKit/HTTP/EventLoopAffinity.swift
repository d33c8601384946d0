import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Runs each connection's requests on the event loop that owns its socket.
///
/// Hummingbird handles a connection in a task on Swift's global executor, so every request crossed threads: the
/// event loop read it, a pool thread ran the handler, and the event loops of PostgreSQL or an upstream connection
/// (the gateway's) answered it and woke the pool thread again. With the event loop as the task's preferred
/// executor the handler runs where the bytes arrive, and clients that pick "the current event loop" (the
/// gateway's HTTP client, PostgreSQL's pool) keep the whole request on one thread. Blocking work must still go to
/// `NIOThreadPool` (bcrypt, Xapian), as it already does.
public struct EventLoopAffineChannel<Inner: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Inner.Value

    let inner: Inner

    public init(_ inner: Inner) {
        self.inner = inner
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger)
    }

    public func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

/// An event loop as a task executor: jobs run on the loop's thread, in the order they were enqueued.
public final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1, with each connection's requests on its event loop (``EventLoopAffineChannel``) when `onEventLoops`.
    public static func http1(configuration: HTTP1Channel.Configuration, onEventLoops: Bool) -> HTTPServerBuilder {
        guard onEventLoops else { return .http1(configuration: configuration) }
        return .init { responder in EventLoopAffineChannel(HTTP1Channel(responder: responder, configuration: configuration)) }
    }
}

/// `CONCIERGE_RUN_ON_EVENT_LOOPS` (default true): whether a process runs its Swift tasks on NIO's event loops.
///
/// When on, NIO's event loops become Swift's global executor (``adoptAsGlobalExecutor()``) and every connection's
/// requests run on its socket's loop (``EventLoopAffineChannel``). A request then stays on the thread where its bytes
/// arrived, its PostgreSQL or upstream answers resume it where they were read, and the process no longer keeps two
/// sets of threads (Swift's pool and NIO's loops) waking each other for every step. Blocking work must still go to
/// `NIOThreadPool` (bcrypt, Xapian, Kafka's pollers), as it already does.
public enum EventLoopThreading {
    public static func enabled(_ environment: EnvironmentReader) throws -> Bool {
        try environment.bool("CONCIERGE_RUN_ON_EVENT_LOOPS", default: true)
    }

    /// `CONCIERGE_EVENT_LOOPS` (1 to 1024; unset or 0: NIO's own choice, `NIO_SINGLETON_GROUP_LOOP_COUNT` or one per
    /// core): how many event loop threads the process runs, overriding `NIO_SINGLETON_GROUP_LOOP_COUNT`. It must run
    /// first thing in `main`, before anything uses the loops (NIO stops the process otherwise); a second call changes
    /// nothing. An operator gives a process fewer loops than cores when it shares its machine with busier ones.
    public static func configureLoopCount(_ environment: EnvironmentReader) throws {
        let count = try environment.int("CONCIERGE_EVENT_LOOPS", default: 0)
        guard count != 0 else { return }
        guard (1...1_024).contains(count) else {
            throw ConfigurationError(variable: "CONCIERGE_EVENT_LOOPS", value: String(count), expected: "1...1024 threads")
        }
        loopCountSet.withLock { done in
            guard !done else { return }
            NIOSingletons.groupLoopCountSuggestion = count
            done = true
        }
    }

    /// The event loop threads the process runs, logged as it starts.
    public static var loopCount: Int { Array(MultiThreadedEventLoopGroup.singleton.makeIterator()).count }

    private static let loopCountSet = Mutex(false)

    /// Installs `MultiThreadedEventLoopGroup.singleton` as Swift's global executor, once per process; call it first
    /// thing in `main`, before tasks start. False when this toolchain does not allow it.
    @discardableResult
    public static func adoptAsGlobalExecutor() -> Bool {
        adopted.withLock { done in
            if !done { done = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() }
            return done
        }
    }

    /// Where a new task on the global executor runs: "event loops" once adopted, else "swift pool". Services log it
    /// as they start, so an operator (and a test) can see the option took effect.
    public static func globalExecutor() async -> String {
        await Task.detached { MultiThreadedEventLoopGroup.currentEventLoop == nil ? "swift pool" : "event loops" }.value
    }

    private static let adopted = Mutex(false)
}
