import Database
import Foundation
import PostgresNIO

/// Whether agents are signed in: only a signed-in agent who is Active in a group receives its tickets. An agent is
/// taken as signed in until identity says their last session ended (`agent.signed_out`), and again once they sign
/// in; their Active status in each group stays as it was either way.
extension TicketStore {
    /// `agent.signed_in`: where the agent is Active they receive tickets again, so their groups' queues move on to them.
    /// An agent back from being signed out joins those groups' pools again, and a changed pool is reset (the seed's
    /// "people that are on vacation" do not get every new ticket until their count catches up).
    /// Answers the groups in which they start receiving tickets: those they are Active in, when they were signed out.
    @discardableResult
    func agentSignedIn(_ agent: UUID, groups: [UUID], on connection: PostgresConnection) async throws -> [UUID] {
        let sorted = groups.sorted { $0.uuidString < $1.uuidString }
        // Every group's agents before any agent's own row: the order every transaction keeps.
        if !sorted.isEmpty { _ = try await distributor.lockedSlots(in: sorted, on: connection) }
        let wasSignedOut = try await setSignedOut(agent, false, on: connection)
        // Read again now that they count as signed in: `active` is then their own Active status in each group.
        let slots = wasSignedOut && !sorted.isEmpty ? try await distributor.lockedSlots(in: sorted, on: connection) : [:]
        var started: [UUID] = []
        for group in sorted {
            if slots[group]?.contains(where: { $0.agentID == agent && $0.active }) == true {
                try await distributor.resetPool(in: group, on: connection)
                started.append(group)
            }
            try await drainQueue(of: group, on: connection)
        }
        return started
    }

    /// `agent.signed_out` of the agent's last session: no new tickets for them until they sign in again. Answers the
    /// groups of `groups` in which they stop receiving tickets: those they were Active in while signed in.
    /// Reads the agent's Active groups without locking them: a hand-off then locks the agent's tickets, and every
    /// other change locks a ticket before its group's agents.
    @discardableResult
    func agentSignedOut(_ agent: UUID, groups: [UUID], on connection: PostgresConnection) async throws -> [UUID] {
        var binds = PostgresBindings()
        binds.append(agent)
        binds.append(groups)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT group_id FROM \(database.table("agent_groups")) WHERE agent_id = $1 AND group_id = ANY($2) AND active AND NOT excluded
                ORDER BY group_id
                """, binds: binds), logger: database.logger)
        var receiving: [UUID] = []
        for try await group in rows.decode(UUID.self) { receiving.append(group) }
        guard try await !setSignedOut(agent, true, on: connection) else { return [] }
        return receiving
    }

    /// Sets the agent's flag and answers whether they were signed out before.
    @discardableResult
    private func setSignedOut(_ agent: UUID, _ signedOut: Bool, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(agent)
        binds.append(signedOut)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH before AS (SELECT signed_out FROM \(database.table("agents")) WHERE id = $1)
                INSERT INTO \(database.table("agents")) (id, signed_out) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET signed_out = $2
                RETURNING coalesce((SELECT signed_out FROM before), false)
                """, binds: binds), logger: database.logger)
        var was = false
        for try await value in rows.decode(Bool.self) { was = value }
        return was
    }
}
