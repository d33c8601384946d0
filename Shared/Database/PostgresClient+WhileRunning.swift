import PostgresNIO

extension PostgresClient {
    /// Runs `body` while the client runs, and stops the client after it: for a command or a test that owns its
    /// client, where a service gives it to its `ServiceGroup`. `body` starts once `run()` has begun, since a lease
    /// before that logs postgres-nio's "run() hasn't been called yet" warning.
    public func whileRunning<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let (started, signal) = AsyncStream<Never>.makeStream()
            group.addTask {
                signal.finish()
                await self.run()
            }
            for await _ in started {}
            defer { group.cancelAll() }
            return try await body()
        }
    }
}
