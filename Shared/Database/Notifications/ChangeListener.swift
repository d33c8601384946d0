import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Holds one pooled connection LISTENing on `channel` for as long as the service runs and tells its caches of every
/// notification (a trigger's `pg_notify` in the writing transaction, delivered at its commit). While it is not
/// listening (starting, or reconnecting a second after a lost connection) the caches keep nothing.
public struct ChangeListener: Service {
    let database: Database
    let channel: String
    let caches: [any ChangeNotified]
    let gate: StartupGate?

    public init(database: Database, channel: String, caches: [any ChangeNotified], gate: StartupGate?) {
        self.database = database
        self.channel = channel
        self.caches = caches
        self.gate = gate
    }

    /// The channel a schema's triggers notify for `topic` (`"tickets.directory"`).
    public static func channel(schema: String, topic: String) -> String { "\(schema).\(topic)" }

    public func run() async {
        await cancelWhenGracefulShutdown {
            await PollingLoop.run(pause: .seconds(1), gate: gate, logger: database.logger, what: "listening on \(channel)") {
                defer { for cache in caches { cache.listening(false) } }
                try await database.client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        for cache in caches { cache.listening(true) }
                        for try await _ in notifications {
                            for cache in caches { cache.changed() }
                        }
                    }
                }
            }
        }
    }
}
