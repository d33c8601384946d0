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
    func agentSignedIn(_ agent: UUID, groups: [UUID], on connection: PostgresConnection) async throws {
        let sorted = groups.sorted { $0.uuidString < $1.uuidString }
        // Every group's agents before any agent's own row: the order every transaction keeps.
        if !sorted.isEmpty { _ = try await distributor.lockedSlots(in: sorted, on: connection) }
        let wasSignedOut = try await setSignedOut(agent, false, on: connection)
        // Read again now that they count as signed in: `active` is then their own Active status in each group.
        let slots = wasSignedOut && !sorted.isEmpty ? try await distributor.lockedSlots(in: sorted, on: connection) : [:]
        for group in sorted {
            if slots[group]?.contains(where: { $0.agentID == agent && $0.active }) == true {
                try await distributor.resetPool(in: group, on: connection)
            }
            try await drainQueue(of: group, on: connection)
        }
    }

    /// `agent.signed_out` of the agent's last session: no new tickets for them until they sign in again.
    func agentSignedOut(_ agent: UUID, on connection: PostgresConnection) async throws {
        try await setSignedOut(agent, true, on: connection)
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
