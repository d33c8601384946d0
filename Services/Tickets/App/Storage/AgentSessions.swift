import Database
import Foundation
import PostgresNIO

/// Whether agents are signed in: only a signed-in agent who is Active in a group receives its tickets. An agent is
/// taken as signed in until identity says their last session ended (`agent.signed_out`), and again once they sign
/// in; their Active status in each group stays as it was either way.
extension TicketStore {
    /// `agent.signed_in`: where the agent is Active they receive tickets again, so their groups' queues move on to them.
    func agentSignedIn(_ agent: UUID, groups: [UUID], on connection: PostgresConnection) async throws {
        let sorted = groups.sorted { $0.uuidString < $1.uuidString }
        // Every group's agents before any agent's own row: the order every transaction keeps.
        if !sorted.isEmpty { _ = try await distributor.lockedSlots(in: sorted, on: connection) }
        try await setSignedOut(agent, false, on: connection)
        for group in sorted { try await drainQueue(of: group, on: connection) }
    }

    /// `agent.signed_out` of the agent's last session: no new tickets for them until they sign in again.
    func agentSignedOut(_ agent: UUID, on connection: PostgresConnection) async throws {
        try await setSignedOut(agent, true, on: connection)
    }

    private func setSignedOut(_ agent: UUID, _ signedOut: Bool, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(agent)
        binds.append(signedOut)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("agents")) (id, signed_out) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET signed_out = $2
                """, binds: binds), logger: database.logger
        ).consume()
    }
}
