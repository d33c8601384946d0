import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The `Idempotency-Key`s of new tickets, customers' messages and agents' replies (``RequestKey``), each written in the same
/// transaction as what it keys, so that a key exists exactly when its write does; a purged ticket takes its keys
/// with it.
extension TicketStore {
    /// The ticket a key wrote, with the fingerprint of the request that wrote it.
    public func ticketWritten(by key: RequestKey) async throws -> (ticketID: UUID, fingerprint: String)? {
        try await database.client.withConnection { try await ticketWritten(by: key, on: $0) }
    }

    func ticketWritten(by key: RequestKey, on connection: PostgresConnection) async throws -> (ticketID: UUID, fingerprint: String)? {
        var binds = PostgresBindings()
        binds.append(key.scoped)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT ticket_id, fingerprint FROM \(database.table("request_keys")) WHERE key = $1", binds: binds),
            logger: database.logger)
        for try await (ticketID, fingerprint) in rows.decode((UUID, String).self) { return (ticketID, fingerprint) }
        return nil
    }

    /// A change to a ticket (a message, a reply) made once per key, in ``modify(_:expectedVersion:actor:change:)``'s
    /// transaction with the ticket's row locked: sent again with the same request it writes nothing and answers
    /// `replayed`, and simultaneous retries wait for each other on the row. The key is checked before `If-Match`, so a
    /// retry carrying the ETag it was first sent with is answered, not refused; the key with another request is a 422.
    /// `attachmentID` names what the change wrote, when it is a file (kept with the key for its retries).
    func modifyOnce(
        _ id: UUID, key: RequestKey?, expectedVersion: Int?, actor: Actor, attachmentID: () -> UUID? = { nil },
        change: (inout Ticket, PostgresConnection) async throws -> [(type: String, details: [String: String])]
    ) async throws -> (ticket: Ticket, replayed: Bool) {
        guard let key else { return (try await modify(id, expectedVersion: expectedVersion, actor: actor, change: change), false) }
        var replayed = false
        let ticket = try await modify(id, expectedVersion: nil, actor: actor) { ticket, connection in
            replayed = false  // Each attempt decides afresh (a transaction may run again after a deadlock).
            switch key.outcome(given: try await ticketWritten(by: key, on: connection)) {
            case .write: break
            case .replay:
                replayed = true
                return []
            case .refuse: throw RequestKey.usedForAnotherRequest
            }
            try Self.check(expectedVersion, of: ticket)
            let published = try await change(&ticket, connection)
            try await record(key, ticketID: id, attachmentID: attachmentID(), on: connection)
            return published
        }
        return (ticket, replayed)
    }

    /// Adds the keys of a batch's new tickets to its statement (nothing when none has a key, unless it keeps empty parts).
    func record(_ keys: [(key: RequestKey, ticketID: String)], to statement: inout CompositeStatement) {
        guard statement.wantsPart(rows: keys.count) else { return }
        statement.add("""
            INSERT INTO \(database.table("request_keys")) (key, ticket_id, fingerprint)
            SELECT * FROM unnest(\(statement.bind(keys.map(\.key.scoped)))::text[], \(statement.bind(keys.map(\.ticketID)))::uuid[],
                                 \(statement.bind(keys.map(\.key.fingerprint)))::text[])
            """)
    }

    /// Keeps one key in the caller's transaction. The same key written by a simultaneous request (its transaction
    /// committed first) is a 409: the client's next retry reads that request's ticket.
    func record(_ key: RequestKey, ticketID: UUID, attachmentID: UUID? = nil, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(key.scoped)
        binds.append(ticketID)
        binds.append(key.fingerprint)
        binds.append(attachmentID)
        let insert = PostgresQuery(
            unsafeSQL: "INSERT INTO \(database.table("request_keys")) (key, ticket_id, fingerprint, attachment_id) VALUES ($1, $2, $3, $4)", binds: binds)
        try await translatingUniqueViolation(into: Self.keyInUse) { try await connection.query(insert, logger: database.logger).consume() }
    }

    /// The attachment a keyed upload wrote, nil when its key wrote none (or the file is gone).
    func attachmentWritten(by key: RequestKey) async throws -> UUID? {
        var binds = PostgresBindings()
        binds.append(key.scoped)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT attachment_id FROM \(database.table("request_keys")) WHERE key = $1", binds: binds), logger: database.logger)
        for try await id in rows.decode(UUID?.self) { return id }
        return nil
    }

    static var keyInUse: Problem {
        Problem.conflict("Another request with this Idempotency-Key was being answered; send it again to receive its ticket.")
    }
}
