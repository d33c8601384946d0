import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Related items, kept as pointers (no data is combined, unlike a merge); a link between two tickets is stored
/// in both directions so each shows the other.
extension TicketStore {
    public func relatedItems(of ticketID: UUID) async throws -> [RelatedItem] {
        var binds = PostgresBindings()
        binds.append(ticketID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT kind, item_id, added_by, added_at FROM \(database.table("related_items")) WHERE ticket_id = $1 ORDER BY added_at, item_id
                """, binds: binds), logger: database.logger)
        var items: [RelatedItem] = []
        for try await (kind, item, by, at) in rows.decode((String, UUID, UUID?, Date).self) {
            guard let kind = RelatedItemKind(rawValue: kind) else { continue }
            items.append(RelatedItem(kind: kind, itemID: item.lowercased, addedBy: by?.lowercased, addedAt: at, summary: nil))
        }
        return items
    }

    /// Links the item to the ticket (and a ticket back to this one, as a change of that ticket too); 409 when it
    /// already is. The ticket's status stays as it is.
    public func addRelated(
        _ kind: RelatedItemKind, _ itemID: UUID, to ticketID: UUID, by agent: String, expectedVersion: Int? = nil
    ) async throws -> Ticket {
        try await modify(ticketID, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, connection in
            guard try await link(ticketID, kind, itemID, by: agent, on: connection) else {
                throw Problem.conflict("This \(kind.rawValue) is already a related item of the ticket.")
            }
            if kind == .ticket { try await linkBack(itemID, to: ticketID, actor: .agent(agent), on: connection) }
            return [("ticket.related_added", ["kind": kind.rawValue, "itemID": itemID.lowercased])]
        }
    }

    /// Removes the link (both directions between tickets); 404 when there was none.
    public func removeRelated(
        _ kind: RelatedItemKind, _ itemID: UUID, from ticketID: UUID, by agent: String, expectedVersion: Int? = nil
    ) async throws -> Ticket {
        try await modify(ticketID, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, connection in
            guard try await unlink(ticketID, kind, itemID, on: connection) else { throw Problem.notFound("No such related item.") }
            if kind == .ticket { try await unlinkBack(itemID, from: ticketID, actor: .agent(agent), on: connection) }
            return [("ticket.related_removed", ["kind": kind.rawValue, "itemID": itemID.lowercased])]
        }
    }

    /// Ticket `other` shows `ticketID` among its related items, as a change of `other`: its version moves, its history
    /// and `ticket.related_added` say who linked it. Nothing when it already did.
    func linkBack(_ other: UUID, to ticketID: UUID, actor: Actor, on connection: PostgresConnection) async throws {
        _ = try await modify(other, expectedVersion: nil, actor: actor, on: connection) { _, connection in
            guard try await link(other, .ticket, ticketID, by: actor.id ?? "", on: connection) else { return [] }
            return [("ticket.related_added", ["kind": RelatedItemKind.ticket.rawValue, "itemID": ticketID.lowercased])]
        }
    }

    /// The other side of removing a link between two tickets, as ``linkBack(_:to:actor:on:)`` is of adding it.
    private func unlinkBack(_ other: UUID, from ticketID: UUID, actor: Actor, on connection: PostgresConnection) async throws {
        _ = try await modify(other, expectedVersion: nil, actor: actor, on: connection) { _, connection in
            guard try await unlink(other, .ticket, ticketID, on: connection) else { return [] }
            return [("ticket.related_removed", ["kind": RelatedItemKind.ticket.rawValue, "itemID": ticketID.lowercased])]
        }
    }

    /// The tickets that show `ticketID` among their related items forget it, because it is being purged: each as a change
    /// of its own by the system, as removing the link by hand would be. A deleted one just loses the row.
    func forgetLinks(to ticketID: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(ticketID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT ticket_id FROM \(database.table("related_items")) WHERE kind = 'ticket' AND item_id = $1 AND ticket_id <> $1 ORDER BY ticket_id
                """, binds: binds), logger: database.logger)
        var others: [UUID] = []
        for try await other in rows.decode(UUID.self) { others.append(other) }
        for other in others where try await find(other, on: connection, lock: false) != nil {
            try await unlinkBack(other, from: ticketID, actor: .system, on: connection)
        }
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("related_items")) WHERE kind = 'ticket' AND item_id = $1", binds: binds),
            logger: database.logger
        ).consume()
    }

    func link(_ ticketID: UUID, _ kind: RelatedItemKind, _ itemID: UUID, by agent: String, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(ticketID)
        binds.append(kind.rawValue)
        binds.append(itemID)
        binds.append(UUID(parsing: agent))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("related_items")) (ticket_id, kind, item_id, added_by, added_at) VALUES ($1, $2, $3, $4, now())
                ON CONFLICT DO NOTHING RETURNING 1
                """, binds: binds), logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    private func unlink(_ ticketID: UUID, _ kind: RelatedItemKind, _ itemID: UUID, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(ticketID)
        binds.append(kind.rawValue)
        binds.append(itemID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                DELETE FROM \(database.table("related_items")) WHERE ticket_id = $1 AND kind = $2 AND item_id = $3 RETURNING 1
                """, binds: binds), logger: database.logger)
        for try await _ in rows { return true }
        return false
    }
}
