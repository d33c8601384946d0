import Database
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Mail waiting to go out, written in the same transaction as what caused it (a reset token, a verification),
/// so a crash or an SMTP outage delays a message but never loses it.
public struct MailOutboxStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func enqueue(_ message: MailMessage, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(message.to)
        binds.append(message.subject)
        binds.append(message.text)
        try await connection.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("mail_outbox")) (recipient, subject, body) VALUES ($1, $2, $3)", binds: binds),
            logger: database.logger
        ).consume()
    }
}

/// Sends queued mail, claiming rows with SKIP LOCKED so several instances never send one message twice at once;
/// a failed attempt is counted and retried later as ``MailRetryRule`` says, and a message it gives up on is kept with
/// `given_up_at` and its last error.
public struct MailRelay: Service {
    let store: MailOutboxStore
    let client: SMTPClient
    let gate: StartupGate?
    let logger: Logger
    let pollInterval: Duration

    public init(store: MailOutboxStore, client: SMTPClient, gate: StartupGate? = nil, pollInterval: Duration = .milliseconds(250), logger: Logger) {
        self.store = store
        self.client = client
        self.gate = gate
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        await gate?.wait()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var sent = 0
            do { sent = try await sendOnce() } catch {
                logger.warning("mail relay pass failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            if sent == 0 {
                let wait = pollInterval
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            }
        }
    }

    /// One claim–send–mark cycle over at most 20 messages; returns how many went out.
    @discardableResult
    public func sendOnce() async throws -> Int {
        let database = store.database
        // Not run again on a deadlock: a second attempt would mail what the first mailed.
        return try await database.transaction(retryingDeadlocks: false) { connection in
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT id, recipient, subject, body, attempts, created_at FROM \(database.table("mail_outbox"))
                    WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= now()
                    ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED
                    """), logger: database.logger)
            var pending: [(id: Int64, message: MailMessage, attempts: Int, queuedAt: Date)] = []
            for try await (id, to, subject, body, attempts, queuedAt) in rows.decode((Int64, String, String, String, Int, Date).self) {
                pending.append((id, MailMessage(to: to, subject: subject, text: body), attempts, queuedAt))
            }
            var sent = 0
            for (id, message, attempts, queuedAt) in pending {
                var update = PostgresBindings()
                update.append(id)
                do {
                    try await client.send(message)
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "UPDATE \(database.table("mail_outbox")) SET sent_at = now(), attempts = attempts + 1 WHERE id = $1", binds: update),
                        logger: database.logger
                    ).consume()
                    sent += 1
                } catch {
                    let next = MailRetryRule.nextAttempt(afterAttempts: attempts + 1, queuedAt: queuedAt, now: Date(), error: error)
                    update.append("\(error)")
                    update.append(next)
                    try await connection.query(
                        PostgresQuery(unsafeSQL: """
                            UPDATE \(database.table("mail_outbox")) SET attempts = attempts + 1, last_error = $2,
                                next_attempt_at = coalesce($3, next_attempt_at), given_up_at = CASE WHEN $3 IS NULL THEN now() END
                            WHERE id = $1
                            """, binds: update),
                        logger: database.logger
                    ).consume()
                    if next == nil {
                        logger.error("mail not sent; giving up", metadata: ["error": "\(error)", "id": "\(id)"])
                    } else {
                        logger.warning("mail not sent; will retry", metadata: ["error": "\(error)"])
                    }
                }
            }
            return sent
        }
    }
}
