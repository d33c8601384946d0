import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The `Idempotency-Key`s of new tickets (``CreationKey``), written in the ticket's own transaction, so that a key
/// exists exactly when its ticket does; a purged ticket takes its key with it.
extension TicketStore {
    /// The ticket a key made, with the fingerprint of the request that made it.
    public func ticketMade(by key: CreationKey) async throws -> (ticketID: UUID, fingerprint: String)? {
        var binds = PostgresBindings()
        binds.append(key.scoped)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT ticket_id, fingerprint FROM \(database.table("creation_keys")) WHERE key = $1", binds: binds),
            logger: database.logger)
        for try await (ticketID, fingerprint) in rows.decode((UUID, String).self) { return (ticketID, fingerprint) }
        return nil
    }

    /// Adds the keys of a batch's new tickets to its statement (nothing when none has a key).
    func record(_ keys: [(key: CreationKey, ticketID: String)], to statement: inout CompositeStatement) {
        guard !keys.isEmpty else { return }
        statement.add("""
            INSERT INTO \(database.table("creation_keys")) (key, ticket_id, fingerprint)
            SELECT * FROM unnest(\(statement.bind(keys.map(\.key.scoped)))::text[], \(statement.bind(keys.map(\.ticketID)))::uuid[],
                                 \(statement.bind(keys.map(\.key.fingerprint)))::text[])
            """)
    }

    /// Keeps one ticket's key in the caller's transaction. The same key written by a simultaneous request (its
    /// transaction committed first) is a 409: the client's next retry reads that request's ticket.
    func record(_ key: CreationKey, ticketID: UUID, on connection: PostgresConnection) async throws {
        var statement = CompositeStatement()
        record([(key, ticketID.lowercased)], to: &statement)
        try await translatingUniqueViolation(into: Self.keyInUse) { try await statement.run(on: connection, logger: database.logger) }
    }

    static var keyInUse: Problem {
        Problem.conflict("Another request with this Idempotency-Key was being answered; send it again to receive its ticket.")
    }
}
