import Contracts
import Database
import Foundation
import PostgresNIO

/// The hand-off (seed 001, 2886; "Hand-off on Auto-Inactive"): an agent who signs out handing off their tickets, or
/// goes auto-inactive in a group that says so, gives every unpinned Active ticket (of that group) to another agent
/// of its group by round robin, or to the queue; pinned tickets stay theirs.
extension TicketStore {
    /// Hands off `agent`'s tickets (in `group`, or every group) in the caller's transaction; answers how many moved.
    /// `includingPinned`: their pinned tickets too, unpinned (an agent who is gone: a pin to them could never hold).
    @discardableResult
    public func handOff(agent: UUID, group: UUID? = nil, includingPinned: Bool = false, on connection: PostgresConnection) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(agent)
        binds.append(group)
        binds.append(includingPinned)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT id FROM \(database.table("tickets"))
                WHERE agent_id = $1 AND ($2::uuid IS NULL OR group_id = $2) AND status = 'active' AND (NOT pinned OR $3) AND deleted_at IS NULL
                ORDER BY id
                """, binds: binds),
            logger: database.logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        // Every group the tickets leave is locked at once, before the first moves on.
        if !ids.isEmpty {
            var left = group.map { [$0] } ?? []
            if group == nil { left = try await groups(of: agent, limitedOverall: false, on: connection) }
            try await lockCounters(of: left, freeing: [agent], on: connection)
        }
        var moved = 0
        for id in ids {
            // The queue is not drained ticket by ticket: it would offer the departing agent the room their tickets just
            // freed before they all moved on.
            _ = try await modify(id, expectedVersion: nil, actor: .system, on: connection, drainingTheQueue: false) { ticket, connection in
                guard ticket.agentID == agent.lowercased, ticket.status == .active, includingPinned || !ticket.pinned else { return [] }
                moved += 1
                var unpinned: [(type: String, details: [String: String])] = []
                if ticket.pinned {
                    ticket.pinned = false
                    unpinned.append(("ticket.unpinned", ["agentID": "", "cause": "hand_off"]))
                }
                return [try await redistribute(&ticket, on: connection, reason: "hand_off", excluding: agent)] + unpinned
            }
        }
        // Leaving one group frees room under an overall Max Tickets that the agent's other groups' queues may use
        // [S001:3256]; leaving every group (signing out) frees nothing they could take.
        if moved > 0, let group { try await drainQueues(freedBy: agent, in: group, on: connection) }
        return moved
    }
}
