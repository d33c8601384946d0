import NIOPosix

/// Runs a blocking librdkafka call on a thread pool and waits for it without tying up a
/// cooperative-pool thread.
///
/// Unlike `NIOThreadPool.runIfActive`, the body also runs when the calling task is already
/// cancelled: it is used for flush, close and destroy, which must happen during cancellation too.
/// Returns nil only when the pool itself was shut down.
func runBlocking<T: Sendable>(
    on pool: NIOThreadPool = .singleton,
    _ body: @escaping @Sendable () -> T
) async -> T? {
    await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        pool.submit { state in
            switch state {
            case .active: continuation.resume(returning: body())
            case .cancelled: continuation.resume(returning: nil)
            }
        }
    }
}
