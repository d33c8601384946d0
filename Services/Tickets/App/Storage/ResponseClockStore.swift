import Contracts
import Database
import Foundation
import PostgresNIO

/// The ticket's ``ResponseClock`` (`awaiting_since`, `first_response_at`, `response_transferred_at`), kept beside the
/// ticket's row and read only by the changes that move it, so list pages do not carry it.
extension TicketStore {
    /// Moves the clock of a ticket whose row the transaction holds by `rule`. When the moment the Idle alerts count
    /// from changes, the ticket's idle alert level starts again.
    func advanceResponseClock(of ticketID: String, on connection: PostgresConnection, _ rule: (ResponseClock) -> ResponseClock) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: ticketID))
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT awaiting_since, first_response_at, response_transferred_at FROM \(database.table("tickets")) WHERE id = $1",
                binds: binds),
            logger: database.logger)
        var before = ResponseClock()
        for try await (awaiting, first, transferred) in rows.decode((Date?, Date?, Date?).self) {
            before = ResponseClock(awaitingSince: awaiting, firstResponseAt: first, transferredAt: transferred)
        }
        let after = rule(before)
        guard after != before else { return }
        binds.append(after.awaitingSince)
        binds.append(after.firstResponseAt)
        binds.append(after.transferredAt)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("tickets")) SET awaiting_since = $2, first_response_at = $3, response_transferred_at = $4,
                    idle_alert = CASE WHEN COALESCE(awaiting_since, idle_since) IS DISTINCT FROM COALESCE($2, idle_since) THEN 0 ELSE idle_alert END
                WHERE id = $1
                """, binds: binds), logger: database.logger
        ).consume()
    }
}
