import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The portal's list of a customer's own tickets, newest first: those of their account, those sent from their
/// confirmed address, and those they share as the customer of a ticket merged into them (`ticket_participants`).
///
/// Each is read from its own index (participants by account and by address apart; one account may share a ticket under
/// two addresses, hence DISTINCT before each LIMIT), a page at most, and only those are merged. As one condition (`customer_user_id = $1 OR lower(customer_email) = $2 OR id IN (participants)`) no index
/// could serve it, and a page walked every ticket newest first (2.4 s on the bench database of two million tickets).
enum CustomerTicketList {
    /// What follows `SELECT <ticket columns> FROM tickets`, and its parameters: the tickets of `brand` (the portal's;
    /// nil for every brand) in `statuses` (empty for every status).
    static func tail(
        tickets: String, participants: String, user: UUID?, verifiedEmail: String?, brand: UUID? = nil, statuses: [TicketStatus] = [],
        subjectContaining: String?, page: PageRequest
    ) throws -> (String, PostgresBindings) {
        var query = QueryConditions()
        let account = query.bind(user)
        let address = query.bind(verifiedEmail)
        let limit = query.bind(page.limit + 1)
        try query.after(page.cursor, as: [.uuid]) { "t.id < \($0[0])" }
        query.require(subjectContaining.map { LikePattern.containing($0.lowercased()) }) { "lower(t.subject) LIKE \($0)" }
        query.require("t.deleted_at IS NULL")
        query.require(brand) { "t.brand_id = \($0)" }
        if !statuses.isEmpty { query.require("t.status = ANY(\(query.bind(statuses.map(\.rawValue))))") }
        let shown = query.conjunction
        let sql = """
            WHERE id = ANY(ARRAY(
                (SELECT t.id FROM \(tickets) t WHERE t.customer_user_id = \(account) AND \(shown) ORDER BY t.id DESC LIMIT \(limit))
                UNION
                (SELECT t.id FROM \(tickets) t WHERE lower(t.customer_email) = \(address) AND \(shown) ORDER BY t.id DESC LIMIT \(limit))
                UNION
                (SELECT DISTINCT t.id FROM \(participants) p JOIN \(tickets) t ON t.id = p.ticket_id
                 WHERE p.user_id = \(account) AND \(shown) ORDER BY t.id DESC LIMIT \(limit))
                UNION
                (SELECT DISTINCT t.id FROM \(participants) p JOIN \(tickets) t ON t.id = p.ticket_id
                 WHERE p.email = \(address) AND \(shown) ORDER BY t.id DESC LIMIT \(limit))))
            ORDER BY id DESC LIMIT \(limit)
            """
        return (sql, query.binds)
    }
}
