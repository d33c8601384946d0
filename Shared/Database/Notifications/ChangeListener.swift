import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Holds one pooled connection LISTENing on its channels for as long as the service runs and tells each channel's
/// caches of every notification (a trigger's `pg_notify` in the writing transaction, delivered at its commit) and its
/// payload. While it is not listening (starting, or reconnecting a second after a lost connection) the caches keep
/// nothing.
public struct ChangeListener: Service {
    /// A channel and the caches its notifications reach.
    public struct Subscription: Sendable {
        let channel: String
        let caches: [any ChangeNotified]

        public init(channel: String, caches: [any ChangeNotified]) {
            self.channel = channel
            self.caches = caches
        }
    }

    let database: Database
    let subscriptions: [Subscription]
    let gate: StartupGate?
    /// How often the connection is asked a `SELECT 1`, and how long it may take to answer before it is closed and the
    /// caches stop keeping: a connection that died without an error (a dropped flow, a host gone) would otherwise
    /// look like one with nothing to say, and the caches would keep their values for good.
    let heartbeat: (every: Duration, answerWithin: Duration)

    public init(
        database: Database, subscriptions: [Subscription], gate: StartupGate?, heartbeat: (every: Duration, answerWithin: Duration) = (.seconds(15), .seconds(5))
    ) {
        self.database = database
        self.subscriptions = subscriptions
        self.gate = gate
        self.heartbeat = heartbeat
    }

    /// The channel a schema's triggers notify for `topic` (`"tickets.directory"`).
    public static func channel(schema: String, topic: String) -> String { "\(schema).\(topic)" }

    public func run() async {
        let caches = subscriptions.flatMap(\.caches)
        await cancelWhenGracefulShutdown {
            await PollingLoop.run(
                pause: .seconds(1), gate: gate, logger: database.logger, what: "listening on \(subscriptions.map(\.channel).joined(separator: ", "))"
            ) {
                defer { for cache in caches { cache.listening(false) } }
                try await database.client.withConnection { connection in
                    try await listen(on: connection, subscriptions[...], listening: [])
                }
            }
        }
    }

    /// LISTENs on each channel of `remaining` in turn, then tells the caches until one channel's notifications end.
    private func listen(
        on connection: PostgresConnection, _ remaining: ArraySlice<Subscription>, listening: [(PostgresNotificationSequence, Subscription)]
    ) async throws {
        if let next = remaining.first {
            return try await connection.listen(on: next.channel) { notifications in
                try await listen(on: connection, remaining.dropFirst(), listening: listening + [(notifications, next)])
            }
        }
        for (_, subscription) in listening { for cache in subscription.caches { cache.listening(true) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (notifications, subscription) in listening {
                group.addTask {
                    for try await notification in notifications {
                        for cache in subscription.caches { cache.changed(payload: notification.payload) }
                    }
                }
            }
            group.addTask { try await beat(on: connection) }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Asks the connection a `SELECT 1` every ``heartbeat`` until one goes unanswered; then closes the connection
    /// (which ends its notifications) and throws ``DeadlineExceeded``.
    private func beat(on connection: PostgresConnection) async throws {
        while true {
            try await Task.sleep(for: heartbeat.every)
            do {
                try await withDeadline(heartbeat.answerWithin) { _ = try await connection.query("SELECT 1", logger: database.logger).collect() }
            } catch let unanswered as DeadlineExceeded {
                try? await connection.close()
                throw unanswered
            }
        }
    }
}
