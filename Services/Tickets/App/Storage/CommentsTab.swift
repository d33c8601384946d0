import Contracts
import Database
import Foundation
import PostgresNIO

extension TicketStore {
    /// The user accounts of the customer of ticket `$1`: the one that submitted it, and any whose address it was sent from.
    var customerAccounts: String {
        """
        SELECT customer_user_id FROM \(database.table("tickets")) WHERE id = $1
        UNION SELECT u.id FROM \(database.table("users")) u JOIN \(database.table("tickets")) t ON lower(u.email) = lower(t.customer_email)
        WHERE t.id = $1
        """
    }

    /// At most this many comments are listed on the Comments tab.
    static let commentsTabLimit = 1000

    /// The Comments tab, agents only: "comments agents would like to note about the ticket or customer" [S001:3041] —
    /// the ticket's comments of every type and those agents keep on its customer's user account (kind `user_comment`):
    /// the sticky ones, which the timeline shows every agent, and with `allUserComments` (those who may read a user's
    /// comments in identity, Users/Organizations View) the others too; sticky ones first, then newest first.
    public func commentsTab(_ ticketID: UUID, allUserComments: Bool) async throws -> [TimelineItem] {
        var binds = PostgresBindings()
        binds.append(ticketID)
        binds.append(Self.commentsTabLimit)
        binds.append(allUserComments)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT kind, id, author_id, body, type, created_at FROM (
                    SELECT 'comment' AS kind, id, author_id, body, type, created_at, type = 'sticky' AS sticky
                    FROM \(database.table("comments")) WHERE ticket_id = $1
                    UNION ALL
                    SELECT 'user_comment', id, author_id, body, CASE WHEN sticky THEN 'sticky' ELSE 'general' END, created_at, sticky
                    FROM \(database.table("user_comments")) WHERE ($3 OR sticky) AND user_id IN (\(customerAccounts))
                ) noted
                ORDER BY sticky DESC, created_at DESC, id DESC LIMIT $2
                """, binds: binds), logger: database.logger)
        var items: [TimelineItem] = []
        for try await (kind, id, author, body, type, created) in rows.decode((String, UUID, UUID?, String, String, Date).self) {
            let comment = TicketComment(
                id: id.lowercased, ticketID: ticketID.lowercased, type: CommentType(rawValue: type) ?? .general, authorID: author?.lowercased,
                body: body, createdAt: created)
            items.append(TimelineItem(kind: kind, comment: comment, at: created, id: id.lowercased))
        }
        return items
    }
}
