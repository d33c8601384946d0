import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// A portal user's Ticket Response alert: "an agent replies to a ticket and marks the ticket as waiting" [S001:2801],
/// shown until the user reads the ticket (its timeline) or writes to it.
public struct TicketResponseAlert: Codable, Sendable, Equatable {
    public var ticketID: String
    public var number: String
    public var subject: String
    public var repliedAt: Date
}

extension TicketStore {
    /// How many of a customer's Waiting tickets the alerts look through, newest first.
    static let alertedTickets = 100

    /// The caller's own Waiting tickets (as their portal list has them) whose newest reply came after they last read
    /// the ticket, the newest reply first.
    public func ticketResponseAlerts(caller: TicketCaller) async throws -> [TicketResponseAlert] {
        guard let user = UUID(parsing: caller.principal.userID) else { return [] }
        let waiting = try await list(.customer, caller: caller, status: .waiting, page: PageRequest(limit: Self.alertedTickets)).items
        guard !waiting.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(waiting.compactMap { UUID(parsing: $0.id) })
        binds.append(user)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT m.ticket_id, max(m.created_at) FROM \(database.table("messages")) m
                LEFT JOIN \(database.table("customer_reads")) r ON r.ticket_id = m.ticket_id AND r.user_id = $2
                WHERE m.ticket_id = ANY($1) AND m.direction = 'out' AND NOT m.forwarded
                GROUP BY m.ticket_id
                HAVING max(m.created_at) > COALESCE(max(r.read_at), '-infinity'::timestamptz)
                """, binds: binds), logger: database.logger)
        var replied: [String: Date] = [:]
        for try await (ticket, at) in rows.decode((UUID, Date).self) { replied[ticket.lowercased] = at }
        return waiting.compactMap { ticket in
            replied[ticket.id].map { TicketResponseAlert(ticketID: ticket.id, number: ticket.number, subject: ticket.subject, repliedAt: $0) }
        }.sorted { $0.repliedAt > $1.repliedAt }
    }

    /// Records that `user` read the ticket now, which settles its Ticket Response alert.
    public func markRead(_ ticketID: UUID, by user: UUID, at now: Date = Date()) async throws {
        var binds = PostgresBindings()
        binds.append(ticketID)
        binds.append(user)
        binds.append(now)
        try await database.client.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("customer_reads")) (ticket_id, user_id, read_at) VALUES ($1, $2, $3)
                ON CONFLICT (ticket_id, user_id) DO UPDATE SET read_at = greatest(\(database.table("customer_reads")).read_at, EXCLUDED.read_at)
                """, binds: binds), logger: database.logger
        ).consume()
    }
}
