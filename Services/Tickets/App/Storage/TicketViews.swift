import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The lists agents and customers work from, each a keyset page on an index that matches its sort.
public enum TicketView: String, Sendable {
    /// The agent's own tickets: priority first, then the longest idle.
    case mine
    /// Another agent's tickets (`id`), as their own list sorts: By Agent, for managers of all the agent's departments.
    case agent
    /// The agent's tickets with a follow-up, scheduled or due, whatever their status, by its time: the due ones first.
    case followUps = "followups"
    /// Unassigned Active tickets of the agent's groups, by priority and age.
    case queue
    /// A customer's own tickets, newest first: those they submitted, those submitted under their confirmed address, and
    /// those their tickets were merged into.
    case customer
    /// All tickets of one group, one department or one brand (by `id`), as the agent's own list sorts.
    case group, department, brand
    /// All Tickets: every ticket of the departments the caller manages as a member of one of their groups (of every
    /// department for those who see everything), as the agent's own list sorts.
    case all
    /// The 100 tickets the agent last touched, and the 100 that last left their list, newest first: any status, or
    /// those of the tab `status` names.
    case recent
    case recentlyTransferred = "recently_transferred"
}

extension TicketStore {
    public func list(
        _ view: TicketView, scope: UUID? = nil, caller: TicketCaller, status: TicketStatus?, page: PageRequest, subjectContaining: String? = nil
    ) async throws -> Page<Ticket> {
        let user = UUID(parsing: caller.principal.userID)
        var binds = PostgresBindings()
        switch view {
        case .recent, .recentlyTransferred:
            guard let user else { return Page(items: [], nextCursor: nil) }
            return Page(items: try await recent(view == .recent ? "touched" : "transferred", agent: user, status: status), nextCursor: nil)
        case .mine, .agent, .group, .department, .brand, .all:
            return try await scopedPage(view, scope: scope, caller: caller, status: status, page: page).page
        case .queue:
            let (tail, queued) = try QueuePage.query(
                table: database.table("tickets"), groups: Self.queueGroups(of: caller), status: status ?? .active, page: page)
            let found = try await database.client.withConnection { connection in try await tickets(tail, queued, on: connection) }
            return Page.from(fetched: found, limit: page.limit) { [String($0.priority.rank), KeysetTimestamp($0.createdAt).cursorKey, $0.id] }
        case .followUps:
            binds.append(user)
            try KeysetCursor.append(page.cursor, as: [.timestamp, .uuid], to: &binds)
            binds.append(page.limit + 1)
            let found = try await database.client.withConnection { connection in
                try await tickets("""
                    WHERE \(Self.followUpsOfAgent)
                      AND ($2::timestamptz IS NULL OR (follow_up_at, id) > ($2::timestamptz, $3::uuid))
                    ORDER BY follow_up_at, id LIMIT $4
                    """, binds, on: connection)
            }
            return Page.from(fetched: found, limit: page.limit) { [$0.followUp.map { KeysetTimestamp($0.at).cursorKey } ?? "", $0.id] }
        case .customer:
            let (tail, listed) = try CustomerTicketList.tail(
                tickets: database.table("tickets"), participants: database.table("ticket_participants"), user: user,
                verifiedEmail: caller.verifiedEmail, brand: caller.portalBrand, statuses: status?.listed ?? [], subjectContaining: subjectContaining,
                page: page)
            let found = try await database.client.withConnection { connection in try await tickets(tail, listed, on: connection) }
            return Page.from(fetched: found, limit: page.limit) { [$0.id] }
        }
    }

    /// The timeline, newest first, 15 at a time by default: messages, comments and attachments; sticky comments lead
    /// the first page, with the sticky comments agents keep on the ticket's customer (kind `user_comment`), ahead of
    /// its 15 others (however many there are, each is shown, and the next page goes on from the last other item). A
    /// customer sees only the messages and the attachments that are not internal: not the agents' forwards, no
    /// message's Bcc, and not the address an agent's reply was written from, which is their own: replies reach
    /// customers from the department's address "so that agents do not have to give their personal email addresses to
    /// customers" [S001:791].
    public func timeline(_ ticketID: UUID, includeComments: Bool, page: PageRequest) async throws -> Page<TimelineItem> {
        var binds = PostgresBindings()
        binds.append(ticketID)
        try KeysetCursor.append(page.cursor, as: [.uuid], to: &binds)
        binds.append(includeComments)
        binds.append(page.limit + 1)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT kind, id, sticky, direction, author_id, from_address, to_addresses, cc_addresses, bcc_addresses, body_html, body_text,
                       comment_type, created_at, subject, quoted_html, quoted_text FROM (
                    SELECT * FROM (
                        SELECT 'message' AS kind, id, false AS sticky, direction, author_id,
                               CASE WHEN $3 OR direction = 'in' THEN from_address ELSE '' END AS from_address, to_addresses, cc_addresses,
                               CASE WHEN $3 THEN bcc_addresses ELSE '{}'::text[] END AS bcc_addresses, body_html, body_text, NULL::text AS comment_type,
                               created_at, subject, quoted_html, quoted_text
                        FROM \(database.table("messages")) WHERE ticket_id = $1 AND ($2::uuid IS NULL OR id < $2) AND ($3 OR NOT forwarded)
                        UNION ALL
                        SELECT 'comment', id, false, NULL, author_id, '', '{}', '{}', '{}', body, body, type, created_at, NULL, NULL, NULL
                        FROM \(database.table("comments")) WHERE $3 AND ticket_id = $1 AND type <> 'sticky' AND ($2::uuid IS NULL OR id < $2)
                        UNION ALL
                        SELECT 'attachment', id, false, NULL, uploaded_by, filename, '{}', '{}', '{}', content_type, size::text,
                               CASE WHEN internal THEN 'internal' ELSE '' END, created_at, NULL, NULL, NULL
                        FROM \(database.table("attachments")) WHERE ticket_id = $1 AND ($3 OR NOT internal) AND ($2::uuid IS NULL OR id < $2)
                        ORDER BY id DESC LIMIT $4
                    ) others
                    UNION ALL
                    SELECT 'comment', id, true, NULL, author_id, '', '{}', '{}', '{}', body, body, type, created_at, NULL, NULL, NULL
                    FROM \(database.table("comments")) WHERE $3 AND $2::uuid IS NULL AND ticket_id = $1 AND type = 'sticky'
                    UNION ALL
                    SELECT 'user_comment', id, true, NULL, author_id, '', '{}', '{}', '{}', body, body, 'sticky', created_at, NULL, NULL, NULL
                    FROM \(database.table("user_comments")) WHERE $3 AND $2::uuid IS NULL AND sticky AND user_id IN (\(customerAccounts))
                ) items
                ORDER BY sticky DESC, id DESC
                """, binds: binds), logger: database.logger)
        var stickies: [TimelineItem] = []
        var items: [TimelineItem] = []
        for try await row in rows {
            let columns = row.makeRandomAccess()
            let kind = try columns[0].decode(String.self)
            let id = try columns[1].decode(UUID.self).lowercased
            let author = try columns[4].decode(UUID?.self)?.lowercased
            let created = try columns[12].decode(Date.self)
            if kind == "message" {
                let message = TicketMessage(
                    id: id, ticketID: ticketID.lowercased,
                    direction: TicketMessage.Direction(rawValue: try columns[3].decode(String.self)) ?? .incoming, authorID: author,
                    from: try columns[5].decode(String.self), to: try columns[6].decode([String].self), cc: try columns[7].decode([String].self),
                    bcc: try columns[8].decode([String].self), bodyHTML: try columns[9].decode(String.self),
                    bodyText: try columns[10].decode(String.self), createdAt: created, subject: try columns[13].decode(String?.self),
                    quotedHTML: try columns[14].decode(String?.self), quotedText: try columns[15].decode(String?.self))
                items.append(TimelineItem(kind: kind, message: message, at: created, id: id))
            } else if kind == "attachment" {
                let attachment = TicketAttachment(
                    id: id, ticketID: ticketID.lowercased, filename: try columns[5].decode(String.self), contentType: try columns[9].decode(String.self),
                    size: Int(try columns[10].decode(String.self)) ?? 0, isInternal: try columns[11].decode(String?.self) == "internal",
                    uploadedBy: author, createdAt: created)
                items.append(TimelineItem(kind: kind, attachment: attachment, at: created, id: id))
            } else {
                let comment = TicketComment(
                    id: id, ticketID: ticketID.lowercased, type: CommentType(rawValue: try columns[11].decode(String.self)) ?? .general,
                    authorID: author, body: try columns[9].decode(String.self), createdAt: created)
                let item = TimelineItem(kind: kind, comment: comment, at: created, id: id)
                if try columns[2].decode(Bool.self) { stickies.append(item) } else { items.append(item) }
            }
        }
        let others = Page.from(fetched: items, limit: page.limit) { [$0.id] }
        return Page(items: stickies + others.items, nextCursor: others.nextCursor)
    }
}
