import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// One line of a ticket's History tab: what was done (the event's type), by whom (an agent, the customer, the
/// system or an API key) and when, with the event's details (old and new values, the cause).
public struct HistoryEntry: Codable, Sendable, Equatable {
    public var id: String
    public var ticketID: String
    public var action: String
    public var actorKind: String
    public var actorID: String?
    public var details: [String: String]
    public var at: Date
}

extension TicketStore {
    /// The ticket's history, newest first, by keyset pages (a merged ticket's history moved with it).
    public func history(_ ticketID: UUID, page: PageRequest) async throws -> Page<HistoryEntry> {
        var binds = PostgresBindings()
        binds.append(ticketID)
        try KeysetCursor.append(page.cursor, as: [.uuid], to: &binds)
        binds.append(page.limit + 1)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, action, actor_kind, actor_id, details::text, at FROM \(database.table("history"))
                WHERE ticket_id = $1 AND ($2::uuid IS NULL OR id < $2) ORDER BY id DESC LIMIT $3
                """, binds: binds), logger: database.logger)
        var entries: [HistoryEntry] = []
        for try await (id, action, actorKind, actorID, details, at) in rows.decode((UUID, String, String, UUID?, String, Date).self) {
            entries.append(HistoryEntry(
                id: id.lowercased, ticketID: ticketID.lowercased, action: action, actorKind: actorKind, actorID: actorID?.lowercased,
                details: (try? JSONColumn.decode([String: String].self, from: details)) ?? [:], at: at))
        }
        return Page.from(fetched: entries, limit: page.limit) { [$0.id] }
    }
}
