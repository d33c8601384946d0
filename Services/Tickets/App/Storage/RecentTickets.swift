import Contracts
import Database
import Foundation
import PostgresNIO

/// Recent (the 100 tickets an agent last touched) and Recently Transferred (the 100 that last left an agent's
/// list, transferred out or taken by someone else), kept with each change.
extension TicketStore {
    static let recentLimit = 100

    /// `recordingTransfer` false: the caller decides afterwards whether the ticket left its owner (a rebalance takes
    /// a ticket from its owner and may give it back).
    func recordRecent(before: Ticket, after: Ticket, actor: Actor, recordingTransfer: Bool = true, on connection: PostgresConnection) async throws {
        try await recordTouch(after, by: actor, on: connection)
        if recordingTransfer, let previous = before.agentID.flatMap(UUID.init(parsing:)), before.agentID != after.agentID {
            try await recordTransferred(after.id, awayFrom: previous, on: connection)
        }
    }

    /// The ticket left `agent`'s list: it heads their Recently Transferred.
    func recordTransferred(_ ticket: String, awayFrom agent: UUID, on connection: PostgresConnection) async throws {
        try await remember("transferred", agent: agent, ticket: ticket, on: connection)
    }

    /// An agent touched the ticket: they changed it, or opened it (outbound, for a customer, or split from a message).
    func recordTouch(_ ticket: Ticket, by actor: Actor, on connection: PostgresConnection) async throws {
        guard actor.kind == "agent", let agent = actor.id.flatMap(UUID.init(parsing:)) else { return }
        try await remember("touched", agent: agent, ticket: ticket.id, on: connection)
    }

    private func remember(_ kind: String, agent: UUID, ticket: String, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(kind)
        binds.append(agent)
        binds.append(UUID(parsing: ticket))
        binds.append(Self.recentLimit)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH upsert AS (
                    INSERT INTO \(database.table("agent_recent")) (kind, agent_id, ticket_id, at) VALUES ($1, $2, $3, clock_timestamp())
                    ON CONFLICT (kind, agent_id, ticket_id) DO UPDATE SET at = clock_timestamp())
                DELETE FROM \(database.table("agent_recent")) WHERE kind = $1 AND agent_id = $2 AND ticket_id IN (
                    SELECT ticket_id FROM \(database.table("agent_recent")) WHERE kind = $1 AND agent_id = $2 ORDER BY at DESC OFFSET $4)
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// The ids (and times) of the agent's Recent or Recently Transferred list, newest first: `$1` the kind, `$2` the
    /// agent, `$3` the limit.
    private var recentEntries: String {
        "SELECT ticket_id, at FROM \(database.table("agent_recent")) WHERE kind = $1 AND agent_id = $2 ORDER BY at DESC LIMIT $3"
    }

    /// Tickets with a follow-up of agent `$1`.
    static let followUpsOfAgent = "agent_id = $1 AND follow_up_at IS NOT NULL AND deleted_at IS NULL"

    /// The agent's Recent or Recently Transferred tickets, newest first (at most 100); with `status`, those of its tab
    /// (Closed lists Closed and Locked too): the Active, Waiting and Closed tabs are the same wherever the agent is in
    /// the navigation pane, Recent included [S001:2985-2987].
    public func recent(_ kind: String, agent: UUID, status: TicketStatus? = nil) async throws -> [Ticket] {
        var binds = PostgresBindings()
        binds.append(kind)
        binds.append(agent)
        binds.append(Self.recentLimit)
        binds.append(status?.listed.map(\.rawValue))
        return try await database.client.withConnection { connection in
            try await tickets("""
                JOIN (\(recentEntries)) r
                    ON r.ticket_id = tickets.id
                WHERE deleted_at IS NULL AND ($4::text[] IS NULL OR status = ANY($4)) ORDER BY r.at DESC
                """, binds, on: connection)
        }
    }

    /// The tickets of the agent's Recent, Recently Transferred or Follow-ups list, for a basic search inside it: the
    /// 100 recent ones, or the agent's tickets with a follow-up (the first `followUpLimit` by time).
    func personalViewMembers(_ view: TicketView, agent: UUID) async throws -> [UUID] {
        var binds = PostgresBindings()
        let sql: String
        switch view {
        case .recent, .recentlyTransferred:
            binds.append(view == .recent ? "touched" : "transferred")
            binds.append(agent)
            binds.append(Self.recentLimit)
            sql = "SELECT ticket_id FROM (\(recentEntries)) r"
        case .followUps:
            binds.append(agent)
            binds.append(Self.followUpSearchLimit)
            sql = "SELECT id FROM \(database.table("tickets")) WHERE \(Self.followUpsOfAgent) ORDER BY follow_up_at, id LIMIT $2"
        default:
            return []
        }
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger)
        var ids: [UUID] = []
        for try await id in rows.decode(UUID.self) { ids.append(id) }
        return ids
    }

    /// Follow-ups a basic search looks through: far more than an agent keeps.
    static let followUpSearchLimit = 1_000
}
