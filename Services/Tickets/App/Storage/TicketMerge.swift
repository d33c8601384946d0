import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

extension TicketStore {
    public static let maximumMerged = 10

    /// The merged tickets' related items and tasks become the primary's, and tickets related to a merged one are
    /// related to the primary instead (a link between the merged tickets themselves goes).
    /// Answers the ids of the tasks the merged tickets owned, which the primary owns now.
    private func moveRelatedItems(to primary: UUID, from others: [UUID], on connection: PostgresConnection) async throws -> [String] {
        var binds = PostgresBindings()
        binds.append(primary)
        binds.append(others)
        let related = database.table("related_items")
        for sql in [
            """
            INSERT INTO \(related) (ticket_id, kind, item_id, added_by, added_at)
            SELECT $1, kind, item_id, added_by, added_at FROM \(related)
            WHERE ticket_id = ANY($2) AND NOT (kind = 'ticket' AND (item_id = $1 OR item_id = ANY($2)))
            ON CONFLICT DO NOTHING
            """,
            """
            INSERT INTO \(related) (ticket_id, kind, item_id, added_by, added_at)
            SELECT ticket_id, 'ticket', $1, added_by, added_at FROM \(related)
            WHERE kind = 'ticket' AND item_id = ANY($2) AND ticket_id <> $1 AND NOT ticket_id = ANY($2)
            ON CONFLICT DO NOTHING
            """,
            "DELETE FROM \(related) WHERE kind = 'ticket' AND item_id = ANY($2)",
        ] {
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger).consume()
        }
        let tasks = try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("tasks")) SET ticket_id = $1 WHERE ticket_id = ANY($2) RETURNING id", binds: binds),
            logger: database.logger)
        var moved: [String] = []
        for try await id in tasks.decode(UUID.self) { moved.append(id.lowercased) }
        return moved.sorted()
    }

    /// "When you merge tickets from multiple users, all users will be able to see full contents of the merged ticket":
    /// the customers of the merged tickets (and those who already shared them) share the primary, unless they are its
    /// own customer; an address that several of them share, once (with an account when one of them has it).
    private func keepParticipants(of others: [UUID], in primary: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(primary)
        binds.append(others)
        let participants = database.table("ticket_participants")
        let tickets = database.table("tickets")
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(participants) (ticket_id, email, user_id)
                SELECT DISTINCT ON (email) $1, email, user_id FROM (
                    SELECT lower(customer_email) AS email, customer_user_id AS user_id FROM \(tickets) WHERE id = ANY($2)
                    UNION ALL SELECT email, user_id FROM \(participants) WHERE ticket_id = ANY($2)
                ) shared
                WHERE email <> (SELECT lower(customer_email) FROM \(tickets) WHERE id = $1)
                ORDER BY email, user_id NULLS LAST
                ON CONFLICT (ticket_id, email) DO UPDATE SET user_id = coalesce(\(participants).user_id, excluded.user_id)
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// Whether the caller shares the ticket as the customer of a ticket merged into it (by account, or by their
    /// confirmed address).
    public func isParticipant(_ ticket: Ticket, caller: TicketCaller) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: ticket.id))
        binds.append(UUID(parsing: caller.principal.userID))
        binds.append(caller.verifiedEmail)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT EXISTS (SELECT 1 FROM \(database.table("ticket_participants")) WHERE ticket_id = $1 AND (user_id = $2 OR email = $3))
                """, binds: binds), logger: database.logger)
        for try await shared in rows.decode(Bool.self) { return shared }
        return false
    }

    /// Merges up to ten tickets into the primary, for good: their messages, comments, history, attachments, time logs,
    /// related items, tasks and Idempotency-Keys move to it (a retried submission of a merged ticket answers with the
    /// primary), their numbers become forwarders to it, their customers share it, and they are gone. The primary keeps its own properties; a
    /// customer still waiting on a merged ticket waits on the primary, since the oldest unanswered message, and it is idle
    /// since the newest message of them all. Room a merged ticket held under its owner's Max Tickets goes to the queue.
    /// A reply being written in a merged ticket goes on in the primary: without a draft of its own (one a ticket), the
    /// primary takes the newest of the merged tickets' drafts.
    func keepDraft(of others: [UUID], in primary: UUID, on connection: PostgresConnection) async throws {
        let drafts = database.table("drafts")
        var binds = PostgresBindings()
        binds.append(primary)
        binds.append(others)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(drafts) (ticket_id, agent_id, body_html, to_addresses, cc_addresses, bcc_addresses, subject, attachment_ids, updated_at)
                SELECT $1, agent_id, body_html, to_addresses, cc_addresses, bcc_addresses, subject, attachment_ids, updated_at
                FROM \(drafts) WHERE ticket_id = ANY($2) ORDER BY updated_at DESC LIMIT 1
                ON CONFLICT (ticket_id) DO NOTHING
                """, binds: binds), logger: database.logger
        ).consume()
    }

    public func merge(primary: UUID, others: [UUID], by agent: String, expectedVersion: Int? = nil) async throws -> Ticket {
        try await database.transaction { connection in
            var merged: [Ticket] = []
            for id in others.sorted(by: { $0.uuidString < $1.uuidString }) {
                guard let ticket = try await find(id, on: connection, lock: true) else { throw Problem.notFound("No such ticket \(id.lowercased).") }
                merged.append(ticket)
            }
            let result = try await modify(primary, expectedVersion: expectedVersion, actor: .agent(agent), on: connection) { ticket, connection in
                var binds = PostgresBindings()
                binds.append(primary)
                binds.append(others)
                for table in ["messages", "comments", "history", "attachments", "request_keys", "sent_forms"] {
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "UPDATE \(database.table(table)) SET ticket_id = $1 WHERE ticket_id = ANY($2)", binds: binds),
                        logger: database.logger
                    ).consume()
                }
                // Reports file time logs by ticket and drop a merged-away ticket: ticket.merged names the logs that moved.
                let movedLogs = try await connection.query(
                    PostgresQuery(unsafeSQL: "UPDATE \(database.table("time_logs")) SET ticket_id = $1 WHERE ticket_id = ANY($2) RETURNING id", binds: binds),
                    logger: database.logger)
                var timeLogIDs: [String] = []
                for try await id in movedLogs.decode(UUID.self) { timeLogIDs.append(id.lowercased) }
                try await connection.query(
                    PostgresQuery(unsafeSQL: "UPDATE \(database.table("forwarders")) SET ticket_id = $1 WHERE ticket_id = ANY($2)", binds: binds),
                    logger: database.logger
                ).consume()
                // Reports file tasks by ticket too: ticket.merged names the tasks the primary owns now.
                let taskIDs = try await moveRelatedItems(to: primary, from: others, on: connection)
                try await keepDraft(of: others, in: primary, on: connection)
                try await keepParticipants(of: others, in: primary, on: connection)
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        UPDATE \(database.table("tickets")) SET awaiting_since = (
                            SELECT min(awaiting_since) FROM \(database.table("tickets")) WHERE id = $1 OR id = ANY($2))
                        WHERE id = $1
                        """, binds: binds), logger: database.logger
                ).consume()
                for old in merged {
                    var forward = PostgresBindings()
                    forward.append(old.number)
                    forward.append(UUID(parsing: old.id))
                    forward.append(primary)
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("forwarders")) (old_number, old_ticket_id, ticket_id) VALUES ($1, $2, $3)", binds: forward),
                        logger: database.logger
                    ).consume()
                    ticket.messagesIn += old.messagesIn
                    ticket.messagesOut += old.messagesOut
                    // One stream of messages: the primary is idle since the last message of any of them.
                    ticket.idleSince = max(ticket.idleSince, old.idleSince)
                }
                return [(
                    "ticket.merged",
                    [
                        "mergedIDs": merged.map(\.id).joined(separator: ","), "mergedNumbers": merged.map(\.number).joined(separator: ","),
                        "timeLogIDs": timeLogIDs.sorted().joined(separator: ","), "taskIDs": taskIDs.joined(separator: ","),
                    ]
                )]
            }
            // One event per merged ticket with that ticket as its subject: whoever keeps tickets by id (the search
            // index, reports) drops it. Its history already moved to the primary.
            let mergedAway = TicketEvents.Item("ticket.merged_away", actor: .agent(agent), details: ["primaryID": result.id, "primaryNumber": result.number])
            try await events.publish(merged.map { ($0, [mergedAway]) }, on: connection, recordHistory: false)
            var freed: [(agent: UUID, group: UUID)] = []
            // Every group whose counters a merged ticket frees is locked at once, in the order every transaction keeps.
            try await lockCounters(
                of: merged.compactMap { UUID(parsing: $0.groupID) }, freeing: merged.compactMap { $0.agentID.flatMap(UUID.init(parsing:)) },
                on: connection)
            for old in merged {
                try await counts.apply(CountPlacement.delta(from: CountPlacement(old), to: nil), on: connection)
                if let agent = old.agentID.flatMap(UUID.init(parsing:)), let group = UUID(parsing: old.groupID), try await countsTowardMax(old.id, on: connection) {
                    try await distributor.release(agentID: agent, groupID: group, on: connection)
                    if !freed.contains(where: { $0 == (agent, group) }) { freed.append((agent, group)) }
                }
                var binds = PostgresBindings()
                binds.append(UUID(parsing: old.id))
                try await connection.query(
                    PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("tickets")) WHERE id = $1", binds: binds), logger: database.logger
                ).consume()
            }
            // A merged ticket that counted toward its owner's Max Tickets frees room, which the queue fills as a close would.
            for (agent, group) in freed { try await drainQueues(freedBy: agent, in: group, on: connection) }
            guard !freed.isEmpty, result.agentID == nil else { return result }
            return try await find(primary, on: connection, lock: false) ?? result
        }
    }

    /// The ticket a number names, following merge forwarders: a live one, or with `deleted` a deleted one.
    public func find(number: String, deleted: Bool = false) async throws -> Ticket? {
        try await database.client.withConnection { try await find(number: number, deleted: deleted, on: $0) }
    }

    func find(number: String, deleted: Bool = false, on connection: PostgresConnection) async throws -> Ticket? {
        var binds = PostgresBindings()
        binds.append(number.uppercased())
        binds.append(deleted)
        let direct = try await tickets("WHERE number = $1 AND (deleted_at IS NOT NULL) = $2", binds, on: connection)
        if let ticket = direct.first { return ticket }
        return try await tickets(
            "WHERE id = (SELECT ticket_id FROM \(database.table("forwarders")) WHERE old_number = $1) AND (deleted_at IS NOT NULL) = $2", binds,
            on: connection
        ).first
    }

    private func countsTowardMax(_ id: String, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: id))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT counts_toward_max FROM \(database.table("tickets")) WHERE id = $1", binds: binds), logger: database.logger)
        for try await counts in rows.decode(Bool.self) { return counts }
        return false
    }
}
