import Contracts
import Database
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit

/// What a follow-up dialog is filled with again after the ticket's follow-up was suspended: its values, the time it
/// was set for too ("the previously filled values will be filled in automatically" [S001:3178]).
public struct PreviousFollowUp: Codable, Sendable, Equatable {
    /// Nil for a follow-up that ended before the time was kept (migration 161).
    public var at: Date?
    public var note: String?
    public var groupID: String?
    public var agentID: String?
    public var priority: TicketPriority?
    public var pin: Bool
}

/// The follow-up dialog's state: the ticket's follow-up, or the values of the last one to start from.
public struct FollowUpState: Codable, Sendable {
    public var followUp: FollowUp?
    public var previous: PreviousFollowUp?
}

/// Follow-ups, priority, subject, email address, pin, deletion and what the timers do.
extension TicketStore {
    /// Schedules a follow-up: the ticket waits until then (a Follow-Up comment keeps the note). A Closed and Locked
    /// ticket takes none.
    public func scheduleFollowUp(_ id: UUID, _ followUp: FollowUp, by agent: String, expectedVersion: Int?) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, connection in
            try await followUpChange(&ticket, followUp, by: agent, on: connection)
        }
    }

    /// The follow-up inside the caller's change (a follow-up of its own, or Send and Schedule Follow-up).
    func followUpChange(
        _ ticket: inout Ticket, _ followUp: FollowUp, by agent: String, on connection: PostgresConnection
    ) async throws -> [(type: String, details: [String: String])] {
        guard ticket.status != .closedLocked else { throw Problem.conflict("A closed and locked ticket takes no follow-up.") }
        if let group = followUp.groupID.flatMap(UUID.init(parsing:)), try await departmentOfGroup(group, on: connection) == nil {
            throw Problem.unprocessable("There is no group \(group.lowercased).", errors: [.init(field: "groupID", message: "unknown group")])
        }
        let followUp = try await checkedAgent(of: followUp, on: ticket, scheduledBy: agent, on: connection)
        if FollowUpRules.afterAgentAction(ticket.followUp) == nil {
            try await setStatusBeforeFollowUp(ticket.id, ticket.status.rawValue, on: connection)
        }
        var published: [(type: String, details: [String: String])] = [
            ("ticket.followup_scheduled", ["followUpAt": followUp.at.formatted(.iso8601), "agentID": followUp.agentID ?? ""]),
        ]
        if let note = followUp.note?.nonEmptyText {
            let comment = try await addComment(ticket.id, type: .followUp, body: note, author: agent, on: connection)
            published.append(("ticket.comment_added", comment.eventDetails))
        }
        ticket.followUp = followUp
        if ticket.status != .waiting {
            published.append(("ticket.status_changed", ["from": ticket.status.rawValue, "to": "waiting", "cause": "follow_up"]))
            ticket.status = .waiting
            ticket.closedAt = nil
        }
        return published
    }

    /// The follow-up's New Agent must be a member of the group the ticket will be in ("an agent within the specified
    /// group"), or the ticket would be theirs where they cannot open it. The scheduler, the default, is kept only as
    /// a member; otherwise the follow-up auto-assigns in the group. Anyone else is a 422.
    private func checkedAgent(
        of followUp: FollowUp, on ticket: Ticket, scheduledBy scheduler: String, on connection: PostgresConnection
    ) async throws -> FollowUp {
        guard let agent = followUp.agentID, try await !isMember(agent, of: followUp.groupID ?? ticket.groupID, on: connection) else { return followUp }
        guard UUID(parsing: agent) == UUID(parsing: scheduler) else {
            throw Problem.unprocessable("The follow-up's agent is not a member of its group.", errors: [.init(field: "agentID", message: "not in the group")])
        }
        var auto = followUp
        auto.agentID = nil
        return auto
    }

    /// The values of the ticket's last follow-up when none is set now (a customer's message suspended it, or it was
    /// done), to fill the follow-up dialog again; nil when a follow-up is set or none ever was.
    public func previousFollowUp(_ id: UUID) async throws -> PreviousFollowUp? {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT follow_up_last_at, follow_up_note, follow_up_group_id, follow_up_agent_id, follow_up_priority, follow_up_pin
                FROM \(database.table("tickets"))
                WHERE id = $1 AND follow_up_at IS NULL
                  AND (follow_up_last_at IS NOT NULL OR follow_up_note IS NOT NULL OR follow_up_group_id IS NOT NULL OR follow_up_agent_id IS NOT NULL
                       OR follow_up_priority IS NOT NULL)
                """, binds: binds), logger: database.logger)
        for try await (at, note, group, agent, priority, pin) in rows.decode((Date?, String?, UUID?, UUID?, Int?, Bool).self) {
            return PreviousFollowUp(
                at: at, note: note, groupID: group?.lowercased, agentID: agent?.lowercased, priority: priority.map(TicketPriority.init(rank:)),
                pin: pin)
        }
        return nil
    }

    /// Removes a follow-up; a scheduled one returns the ticket to the status it had before, a due one (the ticket is
    /// already Active again) only goes.
    public func removeFollowUp(_ id: UUID, by agent: String, expectedVersion: Int? = nil) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, connection in
            guard let followUp = ticket.followUp else { return [] }
            if followUp.due {
                ticket.followUp = nil
                return [("ticket.followup_removed", ["restoredStatus": ticket.status.rawValue, "cause": "manual"])]
            }
            let restored = TicketStatus(rawValue: try await statusBeforeFollowUp(ticket.id, on: connection) ?? "") ?? .active
            let before = ticket.status
            ticket.followUp = nil
            ticket.status = restored
            ticket.closedAt = restored.isClosed ? Date() : nil
            let removed = ("ticket.followup_removed", ["restoredStatus": restored.rawValue, "cause": "manual"])
            guard restored != before else { return [removed] }
            return [removed, ("ticket.status_changed", ["from": before.rawValue, "to": restored.rawValue, "cause": "follow_up_removed"])]
        }
    }

    public func setPriority(_ id: UUID, _ priority: TicketPriority, by agent: String, expectedVersion: Int?) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, _ in
            Self.setPriority(priority, of: &ticket)
        }
    }

    static func setPriority(_ priority: TicketPriority, of ticket: inout Ticket) -> [(type: String, details: [String: String])] {
        guard ticket.priority != priority else { return [] }
        let previous = ticket.priority
        ticket.priority = priority
        return [("ticket.priority_changed", ["from": previous.rawValue, "to": priority.rawValue])]
    }

    /// Changes the subject or the email address the ticket is kept under (the portal user who owns it, if any, keeps it).
    public func change(_ id: UUID, _ detail: TicketDetail, by agent: String, expectedVersion: Int?) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, _ in
            detail.apply(to: &ticket).map { [$0] } ?? []
        }
    }

    /// Pins the ticket to its owner (it then stays with them whatever their status) or unpins it.
    public func setPinned(_ id: UUID, _ pinned: Bool, by agent: String, expectedVersion: Int? = nil) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, _ in
            try Self.setPinned(pinned, of: &ticket)
        }
    }

    static func setPinned(_ pinned: Bool, of ticket: inout Ticket) throws -> [(type: String, details: [String: String])] {
        guard ticket.pinned != pinned else { return [] }
        guard !pinned || ticket.agentID != nil else { throw Problem.conflict("A ticket in the queue cannot be pinned.") }
        ticket.pinned = pinned
        return [(pinned ? "ticket.pinned" : "ticket.unpinned", ["agentID": ticket.agentID ?? ""])]
    }

    /// Marks a ticket deleted: kept as Closed and Locked, out of every list, purged after Settings → Tickets' days (90).
    public func delete(_ id: UUID, by actor: Actor, expectedVersion: Int? = nil) async throws -> Ticket {
        try await delete(id, by: actor, expectedVersion: expectedVersion, on: nil)
    }

    func delete(_ id: UUID, by actor: Actor, expectedVersion: Int? = nil, on existing: PostgresConnection?) async throws -> Ticket {
        let change: (inout Ticket, PostgresConnection) async throws -> [(type: String, details: [String: String])] = { ticket, connection in
            let now = Date()
            var binds = PostgresBindings()
            binds.append(actor.id.flatMap(UUID.init(parsing:)))
            binds.append(UUID(parsing: ticket.id))
            binds.append(now)
            try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("tickets")) SET deleted_at = $3, deleted_by = $1 WHERE id = $2", binds: binds),
                logger: database.logger
            ).consume()
            // "SmarterTrack also removes any follow-ups assigned to a ticket if … the ticket is deleted" [S001:3200].
            let removed: [(type: String, details: [String: String])] = ticket.followUp == nil
                ? [] : [("ticket.followup_removed", ["restoredStatus": TicketStatus.closedLocked.rawValue, "cause": "deleted"])]
            // A deleted ticket is kept Closed and Locked; the event names the status it had, for the reports that count tickets by status.
            let previousStatus = ticket.status
            ticket.status = .closedLocked
            ticket.closedAt = ticket.closedAt ?? now
            ticket.followUp = nil
            ticket.deletedAt = now
            ticket.deletedBy = actor.id.flatMap(UUID.init(parsing:))?.lowercased
            return removed + [("ticket.deleted", [
                "deletedBy": actor.id ?? "", "automatic": String(actor.kind == "system"), "previousStatus": previousStatus.rawValue,
            ])]
        }
        if let existing { return try await modify(id, expectedVersion: expectedVersion, actor: actor, on: existing, change: change) }
        return try await modify(id, expectedVersion: expectedVersion, actor: actor, change: change)
    }

    /// A deleted ticket that has not been purged yet, with when and by whom it was deleted; nil for any other id.
    public func deletedTicket(_ id: UUID) async throws -> Ticket? {
        try await database.client.withConnection { try await deletedTicket(id, on: $0, lock: false) }
    }

    func deletedTicket(_ id: UUID, on connection: PostgresConnection, lock: Bool) async throws -> Ticket? {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.columns), deleted_at, deleted_by FROM \(database.table("tickets")) WHERE id = $1 AND deleted_at IS NOT NULL\(lock ? " FOR UPDATE" : "")
                    """,
                binds: binds),
            logger: database.logger)
        for try await row in rows {
            var ticket = try decodeTicket(row)
            try Self.decodeDeletion(of: &ticket, from: row)
            return ticket
        }
        return nil
    }

    /// Runs one due timer in the caller's transaction, re-checking that it still applies: a department timer whose
    /// setting was turned off or lengthened since it was set, or a purge whose period was, is re-timed instead.
    func fire(_ kind: TimerKind, ticket id: UUID, now: Date, on connection: PostgresConnection) async throws {
        if [.autoClose, .autoLock, .autoDelete, .purge].contains(kind) {
            let due = try await dueTimers(id, on: connection)
            guard let at = due[kind], at <= now else {
                try await syncTimers(id, due: due, on: connection)
                return
            }
        }
        switch kind {
        case .autoClose, .autoLock:
            if kind == .autoClose, try await tasksHoldOpen(id, on: connection) {
                // "complete any tasks associated to a ticket before the ticket can be closed" [S003:55]: the ticket waits
                // for them, looked at again every hour (completing a task does not change the ticket).
                return try await postpone(.autoClose, of: id, until: now.addingTimeInterval(3_600), on: connection)
            }
            let (from, to): (TicketStatus, TicketStatus) = kind == .autoClose ? (.waiting, .closed) : (.closed, .closedLocked)
            _ = try await modify(id, expectedVersion: nil, actor: .system, on: connection) { ticket, connection in
                guard ticket.status == from else { return [] }
                ticket.status = to
                ticket.closedAt = ticket.closedAt ?? Date()
                var details = ["from": from.rawValue, "to": to.rawValue, "cause": kind.rawValue]
                if kind == .autoClose { details["notifyCustomer"] = String(try await notifiesOnAutoClose(ticket.departmentID, on: connection)) }
                return [("ticket.status_changed", details)]
            }
        case .autoDelete:
            guard let ticket = try await find(id, on: connection, lock: true), ticket.status.isClosed else { return }
            _ = try await delete(id, by: .system, on: connection)
        case .followUp:
            _ = try await modify(id, expectedVersion: nil, actor: .system, on: connection) { ticket, connection in
                guard let followUp = ticket.followUp, !followUp.due, followUp.at <= now, ticket.status != .closedLocked else { return [] }
                return try await fireFollowUp(followUp, on: &ticket, connection)
            }
        case .purge:
            guard let ticket = try await deletedTicket(id, on: connection, lock: true) else { return }
            var binds = PostgresBindings()
            binds.append(id)
            // The ticket's tasks go with it, each with its own `task.purged` for whoever keeps tasks.
            try await purge(try await tasks("WHERE ticket_id = $1 ORDER BY created_at, id FOR UPDATE", binds, on: connection), on: connection)
            try await forgetLinks(to: id, on: connection)
            try await events.publish("ticket.purged", ticket, actor: .system, on: connection, recordHistory: false)
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("tickets")) WHERE id = $1 AND deleted_at IS NOT NULL", binds: binds),
                logger: database.logger
            ).consume()
        }
    }

    /// Whether the ticket's department requires its tasks completed before it closes and some are not. Only this
    /// guard holds an auto-close: the others ask an agent for something (a resolution, the fields agents fill).
    private func tasksHoldOpen(_ id: UUID, on connection: PostgresConnection) async throws -> Bool {
        guard let ticket = try await find(id, on: connection, lock: true), let departmentID = UUID(parsing: ticket.departmentID),
            let department = try await department(departmentID, on: connection), department.requireTasksCompletedToClose
        else { return false }
        return try await unfinishedTasks(of: ticket.id, on: connection) > 0
    }

    /// A due follow-up: Active for the follow-up's agent whatever their status (or by round robin in its group, the
    /// new one if it names one, when it was set to auto-assign), with the new priority and pin; the follow-up stays,
    /// marked due. A follow-up is not a new ticket: it neither waits for nor takes a Max Tickets slot, but adds to
    /// the allocation the round robin evens out [S001:2933].
    private func fireFollowUp(
        _ followUp: FollowUp, on ticket: inout Ticket, _ connection: PostgresConnection
    ) async throws -> [(type: String, details: [String: String])] {
        var published: [(type: String, details: [String: String])] = []
        let before = ticket
        let wasPinned = ticket.pinned
        if let group = followUp.groupID, group != ticket.groupID, let groupID = UUID(parsing: group),
            let departmentID = try await departmentOfGroup(groupID, on: connection), let department = try await department(departmentID, on: connection)
        {
            // The follow-up's New Group transfers the ticket, as the Transfer dialog does, both groups' counters locked
            // at once first.
            try await lockCounters(
                of: [UUID(parsing: ticket.groupID), groupID].compactMap { $0 }, freeing: [ticket.agentID.flatMap(UUID.init(parsing:))].compactMap { $0 },
                on: connection)
            let old = try await move(&ticket, to: group, in: department, on: connection)
            published.append(("ticket.transferred", old.merging(["newGroupID": group, "cause": "follow_up"]) { $1 }))
        }
        let previousStatus = ticket.status
        ticket.status = .active
        ticket.closedAt = nil
        ticket.followUp = FollowUpRules.fired(followUp)
        if let priority = followUp.priority, priority != ticket.priority {
            published.append(("ticket.priority_changed", ["from": ticket.priority.rawValue, "to": priority.rawValue, "cause": "follow_up"]))
            ticket.priority = priority
        }
        if let agent = followUp.agentID, try await isMember(agent, of: ticket.groupID, on: connection) {
            if ticket.agentID != agent {
                // Another New Agent in the same group is a transfer too, as the Transfer dialog's would be: the
                // response clock restarts for them.
                if ticket.groupID == before.groupID, ticket.agentID != nil, let departmentID = UUID(parsing: ticket.departmentID),
                    let department = try await department(departmentID, on: connection)
                {
                    let old = try await move(&ticket, to: ticket.groupID, in: department, on: connection)
                    published.append(("ticket.transferred", old.merging(["newGroupID": ticket.groupID, "cause": "follow_up"]) { $1 }))
                }
                published.append(("ticket.assigned", ["agentID": agent, "fromAgentID": ticket.agentID ?? "", "reason": "follow_up"]))
            }
            ticket.agentID = agent
            if previousStatus != .active { try await countReactivated(ticket, on: connection) }
        } else {
            published.append(try await redistribute(&ticket, on: connection, reason: "follow_up", countsTowardMax: false, respectingMax: false))
        }
        // Pin Ticket pins it to the follow-up's agent [S001:3186]; left unchecked, a pin stays while the ticket stays
        // with the agent and group it was pinned to.
        let keepsPin = wasPinned && ticket.agentID == before.agentID && ticket.groupID == before.groupID
        ticket.pinned = ticket.agentID != nil && (followUp.pin || keepsPin)
        if ticket.pinned && !wasPinned { published.append(("ticket.pinned", ["agentID": ticket.agentID ?? ""])) }
        if wasPinned && !ticket.pinned { published.append(("ticket.unpinned", ["agentID": "", "cause": "follow_up"])) }
        published.insert(("ticket.followed_up", ["dueAt": followUp.at.formatted(.iso8601), "agentID": ticket.agentID ?? ""]), at: 0)
        if previousStatus != .active {
            published.append(("ticket.status_changed", ["from": previousStatus.rawValue, "to": "active", "cause": "follow_up"]))
        }
        return published
    }

    /// Whether `agent` still belongs to `group`, whatever their status: a follow-up's agent who left the group (or a
    /// ticket transferred since to a group they are not in) gives way to the round robin.
    private func isMember(_ agent: String, of group: String, on connection: PostgresConnection) async throws -> Bool {
        guard let agent = UUID(parsing: agent), let group = UUID(parsing: group) else { return false }
        return try await standing(of: agent, in: group, on: connection) != nil
    }

    /// Whether the department sends the customer a notification when a ticket is auto-closed (the mail is sent from
    /// the event's `notifyCustomer`).
    private func notifiesOnAutoClose(_ departmentID: String, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: departmentID))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT notify_on_auto_close FROM \(database.table("departments")) WHERE id = $1", binds: binds),
            logger: database.logger)
        for try await notify in rows.decode(Bool.self) { return notify }
        return false
    }

    private func setStatusBeforeFollowUp(_ id: String, _ status: String, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(status)
        binds.append(UUID(parsing: id))
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(database.table("tickets")) SET status_before_follow_up = $1 WHERE id = $2", binds: binds),
            logger: database.logger
        ).consume()
    }

    private func statusBeforeFollowUp(_ id: String, on connection: PostgresConnection) async throws -> String? {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: id))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT status_before_follow_up FROM \(database.table("tickets")) WHERE id = $1", binds: binds),
            logger: database.logger)
        for try await status in rows.decode(String?.self) { return status }
        return nil
    }
}
