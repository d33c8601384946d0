import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// A service's handle on PostgreSQL: one pooled client per process and the one schema the service owns.
public struct Database: Sendable {
    public let client: PostgresClient
    public let schema: String
    public let logger: Logger
    /// Where each committed ``transaction(_:)`` hands the outbox events it appended (nil: nowhere).
    public let committedEvents: CommittedEvents?

    public init(client: PostgresClient, schema: String, logger: Logger, committedEvents: CommittedEvents? = nil) throws {
        guard Self.isValidIdentifier(schema) else {
            throw ConfigurationError(variable: "schema", value: schema, expected: "a lower-case SQL identifier")
        }
        self.client = client
        self.schema = schema
        self.logger = logger
        self.committedEvents = committedEvents
    }

    public static func isValidIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, (first == "_" || ("a"..."z").contains(first)), name.count <= 63 else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// Runs `body` in one transaction and rethrows the body's own error (postgres-nio wraps it), so a
    /// domain problem thrown inside keeps its HTTP status. Once it committed, the outbox events it appended go to
    /// ``committedEvents``.
    ///
    /// When PostgreSQL breaks a deadlock by aborting this transaction, everything it did is rolled back and `body`
    /// runs again in a new one (``DeadlockRetry``): a request that met another change of the same rows is answered, not
    /// failed. A body that does something outside the database it must not repeat at once (sends to the broker,
    /// mails) passes `retryingDeadlocks: false`.
    public func transaction<Result: Sendable>(
        retryingDeadlocks: Bool = true, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await publishingCommittedEvents { try await plainTransaction(body) }
            } catch where retryingDeadlocks && DeadlockRetry.shouldRetry(error, attempt: attempt) {
                logger.notice("transaction aborted to break a deadlock; running it again", metadata: ["attempt": "\(attempt + 1)"])
                try await Task.sleep(for: DeadlockRetry.pause())
                attempt += 1
            }
        }
    }

    /// Runs `work`, noting the outbox events appended meanwhile, and hands them to ``committedEvents`` once it
    /// returned (nothing when it throws).
    private func publishingCommittedEvents<Result: Sendable>(_ work: () async throws -> Result) async throws -> Result {
        guard let committedEvents else { return try await work() }
        let appended = TransactionEvents()
        let result = try await TransactionEvents.$current.withValue(appended) { try await work() }
        committedEvents.publish(appended.events)
        return result
    }

    private func plainTransaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }

    /// Runs `body` on one pooled connection outside a transaction block, so each statement it runs commits on its
    /// own (one round trip where ``transaction(_:)`` takes three). Once `body` returned, the outbox events its
    /// statements appended go to ``committedEvents``; if it throws, events of statements that did commit are left
    /// to the relay's next pass. Events are noted as a statement is built, so a body must not return after catching
    /// the failure of a statement that appended events: they would be announced though never written.
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await publishingCommittedEvents { try await client.withConnection { try await body($0) } }
    }

    /// Readiness: a round trip to the server.
    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger).consume()
    }

    /// `"schema".table` for SQL text; the schema was validated as an identifier.
    public func table(_ name: String) -> String { "\"\(schema)\".\(name)" }

    /// Runs a data-modifying statement with `RETURNING` and answers how many rows it returned (the rows it changed).
    public func changedRows(_ sql: String, _ binds: PostgresBindings) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }
}

extension PostgresRowSequence {
    /// Drains the rows so the pooled connection is returned at once.
    public func consume() async throws {
        for try await _ in self {}
    }
}
