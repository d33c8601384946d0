import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

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

/// `CONCIERGE_HTTP_ON_EVENT_LOOPS`: whether servers run requests on their connections' event loops.
public enum HTTPThreading {
    public static func onEventLoops(_ environment: EnvironmentReader) throws -> Bool {
        try environment.bool("CONCIERGE_HTTP_ON_EVENT_LOOPS", default: false)
    }
}
