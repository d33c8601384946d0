import Database
import Foundation
import PostgresNIO

extension TicketStore {
    /// Redistributes a group's unanswered Active tickets among its agents as round robin would now (after a pool
    /// reset): each leaves its owner and goes back through the queue. Pinned tickets and tickets an agent already
    /// answered stay. Answers how many tickets changed hands.
    public func rebalance(group groupID: UUID, by actor: Actor) async throws -> Int {
        try await database.transaction { connection in
            let before = try await owners(in: groupID, on: connection)
            for (ticketID, _) in before {
                _ = try await modify(ticketID, expectedVersion: nil, actor: actor, on: connection, drainingTheQueue: false) { ticket, _ in
                    ticket.agentID = nil
                    return [("ticket.queued", ["reason": "rebalance"])]
                }
            }
            try await distributor.resetPool(in: groupID, on: connection)
            try await drainQueue(of: groupID, on: connection)
            let after = try await owners(in: groupID, on: connection, ids: before.map(\.0))
            return before.filter { after[$0.0] != $0.1 }.count
        }
    }

    /// Unanswered, unpinned Active tickets of the group with an owner, oldest first.
    private func owners(in groupID: UUID, on connection: PostgresConnection) async throws -> [(UUID, UUID)] {
        var binds = PostgresBindings()
        binds.append(groupID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, agent_id FROM \(database.table("tickets"))
                WHERE group_id = $1 AND status = 'active' AND NOT pinned AND messages_out = 0 AND agent_id IS NOT NULL AND deleted_at IS NULL
                ORDER BY created_at, id FOR UPDATE SKIP LOCKED
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
