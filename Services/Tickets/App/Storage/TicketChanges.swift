import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

extension TicketStore {
    /// Runs `change` on the locked ticket when it is still at `expectedVersion` (412 otherwise), then writes it,
    /// keeps the Max Tickets counts true (a ticket counts while it stays Active with the owner and group it was
    /// distributed to) and publishes what `change` reports.
    /// `If-Match`: a ticket changed since the version the caller read is a 412.
    static func check(_ expectedVersion: Int?, of ticket: Ticket) throws {
        if let expectedVersion, expectedVersion != ticket.version {
            throw Problem.preconditionFailed("The ticket changed since version \(expectedVersion); it is at version \(ticket.version). Reload it.")
        }
    }

    func modify(
        _ id: UUID, expectedVersion: Int?, actor: Actor,
        change: (inout Ticket, PostgresConnection) async throws -> [(type: String, details: [String: String])]
    ) async throws -> Ticket {
        try await database.transaction { connection in
            try await modify(id, expectedVersion: expectedVersion, actor: actor, on: connection, change: change)
        }
    }

    /// `restartsWaiting`: whether an agent's (or a rule's) change that leaves the ticket Waiting starts its auto-close
    /// wait again (``TimerRules/restartsWaiting(actorKind:status:)``); false for what only records the agent's time.
    func modify(
        _ id: UUID, expectedVersion: Int?, actor: Actor, on connection: PostgresConnection, drainingTheQueue: Bool = true,
        recordingTransfer: Bool = true, restartsWaiting: Bool = true,
        change: (inout Ticket, PostgresConnection) async throws -> [(type: String, details: [String: String])]
    ) async throws -> Ticket {
        guard var ticket = try await find(id, on: connection, lock: true) else { throw Problem.notFound("No such ticket.") }
        try Self.check(expectedVersion, of: ticket)
        let before = ticket
        var published = try await change(&ticket, connection)
        if ticket.followUp != nil, FollowUpRules.kept(ticket.followUp, status: ticket.status) == nil {
            ticket.followUp = nil
            published.append(("ticket.followup_removed", ["restoredStatus": ticket.status.rawValue, "cause": ticket.status.rawValue]))
        }
        guard ticket != before || !published.isEmpty else { return ticket }
        published = try await offeringSurvey(published, closing: ticket, on: connection)
        let released = try await releaseCountIfLeft(before: before, after: ticket, on: connection)
        if published.contains(where: { $0.details["countsTowardMax"] == "true" }) { try await markCounting(ticket.id, on: connection) }
        try await save(
            ticket, restartingWaiting: restartsWaiting && TimerRules.restartsWaiting(actorKind: actor.kind, status: ticket.status),
            on: connection)
        try await syncTimers(id, on: connection)
        guard let saved = try await find(id, on: connection, lock: false, includingDeleted: true) else { return ticket }
        let deleted = published.contains { $0.type == "ticket.deleted" }
        try await counts.apply(
            CountPlacement.delta(from: CountPlacement(before), to: deleted ? nil : CountPlacement(saved)), on: connection)
        for event in published { try await events.publish(event.type, saved, actor: actor, details: event.details, on: connection) }
        try await recordRecent(before: before, after: saved, actor: actor, recordingTransfer: recordingTransfer, on: connection)
        // A queued ticket made Active again (a status change, a bounce, a rule) is offered as a new one is.
        let activeInQueue = saved.agentID == nil && saved.status == .active && before.status != .active && saved.groupID == before.groupID
        if released || activeInQueue, drainingTheQueue, let group = UUID(parsing: before.groupID) {
            try await drainQueues(freedBy: released ? before.agentID.flatMap(UUID.init(parsing:)) : nil, in: group, on: connection)
            // The room it freed may have taken this very ticket out of a queue (its owner's other group).
            if saved.agentID == nil, let drained = try await find(id, on: connection, lock: false, includingDeleted: true) { return drained }
        }
        return saved
    }

    /// `restartingWaiting` marks the ticket Waiting from now (`status_since`, which auto-close counts from); a change of
    /// status or an agent's reply does so through the table's trigger (migration 174).
    private func save(_ ticket: Ticket, restartingWaiting: Bool, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: ticket.brandID))
        binds.append(UUID(parsing: ticket.departmentID))
        binds.append(UUID(parsing: ticket.groupID))
        binds.append(ticket.agentID.flatMap(UUID.init(parsing:)))
        binds.append(ticket.customerEmail)
        binds.append(ticket.subject)
        binds.append(ticket.status.rawValue)
        binds.append(ticket.priority.rank)
        binds.append(ticket.pinned)
        binds.append(ticket.messagesIn)
        binds.append(ticket.messagesOut)
        binds.append(ticket.idleSince)
        binds.append(ticket.closedAt)
        binds.append(UUID(parsing: ticket.id))
        binds.append(ticket.followUp?.at)
        binds.append(ticket.followUp?.note)
        binds.append(ticket.followUp?.groupID.flatMap(UUID.init(parsing:)))
        binds.append(ticket.followUp?.agentID.flatMap(UUID.init(parsing:)))
        binds.append(ticket.followUp?.priority?.rank)
        binds.append(ticket.followUp?.pin ?? false)
        binds.append(ticket.followUp?.due ?? false)
        binds.append(ticket.language)
        binds.append(restartingWaiting)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("tickets")) SET brand_id = $1, department_id = $2, group_id = $3, agent_id = $4, customer_email = $5,
                    subject = $6, status = $7, priority = $8, pinned = $9, messages_in = $10, messages_out = $11, idle_since = $12,
                    idle_alert = CASE WHEN COALESCE(awaiting_since, idle_since) IS DISTINCT FROM COALESCE(awaiting_since, $12) THEN 0 ELSE idle_alert END,
                    closed_at = $13, follow_up_at = $15, follow_up_last_at = coalesce($15, follow_up_at, follow_up_last_at),
                    follow_up_note = CASE WHEN $15::timestamptz IS NULL THEN follow_up_note ELSE $16 END,
                    follow_up_group_id = CASE WHEN $15::timestamptz IS NULL THEN follow_up_group_id ELSE $17 END,
                    follow_up_agent_id = CASE WHEN $15::timestamptz IS NULL THEN follow_up_agent_id ELSE $18 END,
                    follow_up_priority = CASE WHEN $15::timestamptz IS NULL THEN follow_up_priority ELSE $19 END,
                    follow_up_pin = CASE WHEN $15::timestamptz IS NULL THEN follow_up_pin ELSE $20 END, follow_up_due = $21,
                    language = $22, last_action_at = now(), status_since = CASE WHEN $23 THEN now() ELSE status_since END, version = version + 1
                WHERE id = $14
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// Rewrites the ticket's durable timers from its state and its department's settings, in the change's transaction.
    /// A distributed ticket stops counting toward its owner's Max Tickets once it is no longer Active with the same
    /// owner in the same group; true when a count was released (the owner has room again).
    private func releaseCountIfLeft(before: Ticket, after: Ticket, on connection: PostgresConnection) async throws -> Bool {
        guard let owner = before.agentID.flatMap(UUID.init(parsing:)), let group = UUID(parsing: before.groupID) else { return false }
        let stillCounts = after.status == .active && after.agentID == before.agentID && after.groupID == before.groupID
        guard !stillCounts else { return false }
        try await lockCounters(of: [group], freeing: [owner], on: connection)
        var binds = PostgresBindings()
        binds.append(UUID(parsing: before.id))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("tickets")) SET counts_toward_max = false WHERE id = $1 AND counts_toward_max RETURNING id", binds: binds),
            logger: database.logger)
        var counted = false
        for try await _ in rows { counted = true }
        if counted { try await distributor.release(agentID: owner, groupID: group, on: connection) }
        return counted
    }

    /// Gives the ticket to the next agent of its group by round robin, or to the queue; answers the event (an
    /// assignment counts toward the new owner's Max Tickets, a ticket received, unless `countsTowardMax` is false:
    /// a transferred ticket that is not Active, a follow-up). `respectingMax` false lets it reach an agent at their
    /// Max Tickets (a follow-up).
    func redistribute(
        _ ticket: inout Ticket, on connection: PostgresConnection, reason: String, excluding: UUID? = nil, countsTowardMax: Bool = true,
        respectingMax: Bool = true, keeping: TicketHolder? = nil
    ) async throws -> (type: String, details: [String: String]) {
        guard let group = UUID(parsing: ticket.groupID) else { throw Problem.internalError(requestID: nil) }
        let previous = ticket.agentID
        if let agent = try await distributor.choose(
            in: group, countsTowardMax: countsTowardMax, respectingMax: respectingMax, excluding: excluding, keeping: keeping, on: connection)
        {
            ticket.agentID = agent.lowercased
            let counted = countsTowardMax && agent != keeping?.agentID
            return ("ticket.assigned", [
                "agentID": agent.lowercased, "fromAgentID": previous ?? "", "reason": reason, "countsTowardMax": String(counted),
            ])
        }
        ticket.agentID = nil
        return ("ticket.queued", ["fromAgentID": previous ?? "", "reason": reason])
    }

    private func markCounting(_ id: String, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: id))
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("tickets")) SET counts_toward_max = true WHERE id = $1", binds: binds),
            logger: database.logger
        ).consume()
    }

    /// Whether the ticket has a Resolution comment (the "require resolution to close" guard).
    func hasResolution(_ id: String, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: id))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT 1 FROM \(database.table("comments")) WHERE ticket_id = $1 AND type = 'resolution' LIMIT 1", binds: binds),
            logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    /// The events of a change, the one that closes the ticket naming the survey its department offers then
    /// (Survey to Offer When Closed), for whoever sends surveys ("only for closed tickets with at least one incoming
    /// message").
    private func offeringSurvey(
        _ published: [(type: String, details: [String: String])], closing ticket: Ticket, on connection: PostgresConnection
    ) async throws -> [(type: String, details: [String: String])] {
        guard let closing = published.firstIndex(where: { event in
            event.type == "ticket.status_changed"
                && SurveyOffer.offered(from: TicketStatus(rawValue: event.details["from"] ?? ""), to: TicketStatus(rawValue: event.details["to"] ?? ""),
                                       messagesIn: ticket.messagesIn)
        }) else { return published }
        var binds = PostgresBindings()
        binds.append(UUID(parsing: ticket.departmentID))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT survey_when_closed FROM \(database.table("departments")) WHERE id = $1", binds: binds), logger: database.logger)
        var survey: String?
        for try await id in rows.decode(String?.self) { survey = id }
        guard let survey else { return published }
        var offered = published
        offered[closing].details["surveyID"] = survey
        return offered
    }

    /// After an agent's ticket stopped counting toward their Max Tickets: the group's queue, and when the agent has an
    /// overall Max Tickets (which spans their groups) the queues of every group of theirs, since the room may be
    /// theirs to take anywhere. Every group's agents are locked first, in the order every transaction keeps.
    /// Locks the round robin's counters of `groups` and of every group where an agent of `freeing` has an overall Max
    /// Tickets (whose queues the room they free may drain), all in one statement and so in the order every transaction
    /// keeps. A transaction locks every group it will touch here before it changes any counter: one that held a group's
    /// rows and then took another's would deadlock with one doing the opposite.
    func lockCounters(of groups: [UUID], freeing agents: [UUID], on connection: PostgresConnection) async throws {
        var all = Set(groups)
        for agent in Set(agents) { all.formUnion(try await self.groups(of: agent, limitedOverall: true, on: connection)) }
        guard !all.isEmpty else { return }
        _ = try await distributor.lockedSlots(in: all.sorted { $0.uuidString < $1.uuidString }, on: connection)
    }

    func drainQueues(freedBy agent: UUID?, in groupID: UUID, on connection: PostgresConnection) async throws {
        var groups = [groupID]
        if let agent { groups = Array(Set(groups + (try await self.groups(of: agent, limitedOverall: true, on: connection)))).sorted { $0.uuidString < $1.uuidString } }
        if groups.count > 1 { _ = try await distributor.lockedSlots(in: groups, on: connection) }
        for group in groups { try await drainQueue(of: group, on: connection) }
    }

    /// The groups of an agent, in id order, whether or not tickets knows their user yet; with `limitedOverall`, only if
    /// the agent has an overall Max Tickets.
    func groups(of agent: UUID, limitedOverall: Bool, on connection: PostgresConnection) async throws -> [UUID] {
        var binds = PostgresBindings()
        binds.append(agent)
        binds.append(limitedOverall)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT m.group_id FROM \(database.table("agent_groups")) m LEFT JOIN \(database.table("agents")) a ON a.id = m.agent_id
                WHERE m.agent_id = $1 AND (NOT $2 OR a.overall_max_tickets IS NOT NULL) ORDER BY m.group_id
                """, binds: binds), logger: database.logger)
        var groups: [UUID] = []
        for try await group in rows.decode(UUID.self) { groups.append(group) }
        return groups
    }

    /// Hands the group's queued tickets to agents with room and publishes each assignment.
    func drainQueue(of groupID: UUID, among agents: Set<UUID>? = nil, on connection: PostgresConnection) async throws {
        for (ticketID, agentID) in try await distributor.drainQueue(of: groupID, among: agents, on: connection) {
            guard let ticket = try await find(ticketID, on: connection, lock: false) else { continue }
            var queued = ticket
            queued.agentID = nil
            try await counts.apply(CountPlacement.delta(from: CountPlacement(queued), to: CountPlacement(ticket)), on: connection)
            try await events.publish(
                "ticket.assigned", ticket, actor: .system,
                details: ["agentID": agentID.lowercased, "fromAgentID": "", "reason": "queue_drain", "countsTowardMax": "true"], on: connection)
        }
    }
}
