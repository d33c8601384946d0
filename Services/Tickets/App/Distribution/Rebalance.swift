import Contracts
import Database
import Foundation
import PostgresNIO

extension TicketStore {
    /// Redistributes a group's unanswered Active tickets among its agents as round robin would now (after a pool
    /// reset): each leaves its owner and goes back through the queue. Tickets an agent already answered stay, and
    /// so do pinned and held ones as `policy` says (a pinned ticket that moves loses its pin). A rule that names agents rebalances among those agents: it takes
    /// back their tickets and hands them out to them first. Answers how many tickets changed hands.
    public func rebalance(group groupID: UUID, policy: RebalancePolicy = .manual(now: Date()), by actor: Actor) async throws -> Int {
        try await database.transaction { try await rebalance(group: groupID, policy: policy, by: actor, on: $0) }
    }

    func rebalance(group groupID: UUID, policy: RebalancePolicy, by actor: Actor, on connection: PostgresConnection) async throws -> Int {
        let before = try await owners(in: groupID, policy: policy, on: connection)
        for (ticketID, _) in before {
            _ = try await modify(ticketID, expectedVersion: nil, actor: actor, on: connection, drainingTheQueue: false, recordingTransfer: false) { ticket, _ in
                // The queued event names the owner it leaves, whom the drain's `ticket.assigned` may give it back to.
                let queued = ("ticket.queued", ["reason": "rebalance", "fromAgentID": ticket.agentID ?? ""])
                ticket.agentID = nil
                // A ticket in the queue cannot be pinned: the pin to its old owner goes with it.
                guard ticket.pinned else { return [queued] }
                ticket.pinned = false
                return [("ticket.unpinned", ["agentID": ""]), queued]
            }
        }
        try await distributor.resetPool(in: groupID, on: connection)
        if !policy.agents.isEmpty { try await drainQueue(of: groupID, among: Set(policy.agents), on: connection) }
        try await drainQueue(of: groupID, on: connection)
        let after = try await owners(in: groupID, on: connection, ids: before.map(\.0))
        // Only a ticket that went to someone else left its owner's list; one given back to them did not.
        let moved = before.filter { after[$0.0] != $0.1 }
        for (ticketID, owner) in moved { try await recordTransferred(ticketID.lowercased, awayFrom: owner, on: connection) }
        return moved.count
    }

    /// The group's unanswered Active tickets with an owner that `policy` lets go, oldest first. A ticket any agent
    /// composed in, read or has open in a window within the hold times is held by them ("tickets viewed by agents … and
    /// therefore held"), not only by its owner.
    private func owners(in groupID: UUID, policy: RebalancePolicy, on connection: PostgresConnection) async throws -> [(UUID, UUID)] {
        var binds = PostgresBindings()
        binds.append(groupID)
        binds.append(policy.agents)
        binds.append(policy.heldComposedSince)
        binds.append(policy.heldReadSince)
        binds.append(policy.heldAssignedSince)
        binds.append(policy.pinnedUntouchedSince)
        binds.append(policy.windowsOpenSince)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT t.id, t.agent_id FROM \(database.table("tickets")) t
                WHERE t.group_id = $1 AND t.status = 'active' AND t.messages_out = 0 AND t.agent_id IS NOT NULL AND t.deleted_at IS NULL
                  AND (cardinality($2::uuid[]) = 0 OR t.agent_id = ANY($2))
                  AND (NOT t.pinned OR t.last_action_at <= $6::timestamptz)
                  AND ($3::timestamptz IS NULL OR NOT EXISTS (
                        SELECT 1 FROM \(database.table("drafts")) d WHERE d.ticket_id = t.id AND d.updated_at > $3))
                  AND ($4::timestamptz IS NULL OR NOT EXISTS (
                        SELECT 1 FROM \(database.table("ticket_reads")) r WHERE r.ticket_id = t.id AND r.at > $4))
                  AND ($5::timestamptz IS NULL OR NOT EXISTS (
                        SELECT 1 FROM \(database.table("history")) h
                        WHERE h.ticket_id = t.id AND h.action IN ('ticket.assigned', 'ticket.transferred') AND h.at > $5))
                  AND ($7::timestamptz IS NULL OR NOT EXISTS (
                        SELECT 1 FROM \(database.table("ticket_views")) v
                        WHERE v.ticket_id = t.id AND v.closed_at IS NULL AND v.opened_at > $7))
                ORDER BY t.created_at, t.id FOR UPDATE OF t SKIP LOCKED
                """, binds: binds), logger: database.logger)
        var result: [(UUID, UUID)] = []
        for try await row in rows.decode((UUID, UUID).self) { result.append(row) }
        return result
    }

    private func owners(in groupID: UUID, on connection: PostgresConnection, ids: [UUID]) async throws -> [UUID: UUID] {
        var binds = PostgresBindings()
        binds.append(ids)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT id, agent_id FROM \(database.table("tickets")) WHERE id = ANY($1) AND agent_id IS NOT NULL", binds: binds),
            logger: database.logger)
        var result: [UUID: UUID] = [:]
        for try await (id, agent) in rows.decode((UUID, UUID).self) { result[id] = agent }
        return result
    }
}
