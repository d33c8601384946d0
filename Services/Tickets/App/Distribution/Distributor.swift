import Database
import Foundation
import PostgresNIO

/// Round robin against the group's agent rows, safe with any number of tickets-service instances: the group's
/// rows and then the candidates' overall rows are locked (always in that order) before an agent is chosen and
/// their counters move, in the transaction that assigns the ticket.
struct Distributor: Sendable {
    let database: Database

    /// Chooses an agent for a ticket in `groupID`, or nil (the ticket waits in the queue). A chosen agent's
    /// allocation grows; `countsTowardMax` (a new ticket received) also raises their new-active counts, except the
    /// `keeping` agent's (``TicketHolder``). `among` limits the choice to those agents (a rebalance rule's).
    func choose(
        in groupID: UUID, countsTowardMax: Bool, respectingMax: Bool = true, excluding: UUID? = nil, among: Set<UUID>? = nil,
        keeping: TicketHolder? = nil, on connection: PostgresConnection
    ) async throws -> UUID? {
        let slots = try await lockedSlots(in: groupID, on: connection)
        let candidates = slots.filter { $0.agentID != excluding && among?.contains($0.agentID) != false }.map { keeping?.discounted($0) ?? $0 }
        guard let chosen = RoundRobin.pick(candidates, respectingMax: respectingMax) else { return nil }
        var binds = PostgresBindings()
        binds.append(groupID)
        binds.append(chosen.agentID)
        binds.append(countsTowardMax && chosen.agentID != keeping?.agentID ? 1 : 0)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH slot AS (
                    UPDATE \(database.table("agent_groups")) SET allocated = allocated + 1, new_active = new_active + $3, last_assigned_at = clock_timestamp()
                    WHERE group_id = $1 AND agent_id = $2 RETURNING agent_id)
                UPDATE \(database.table("agents")) SET new_active = new_active + $3 WHERE id = (SELECT agent_id FROM slot)
                """, binds: binds), logger: database.logger
        ).consume()
        return chosen.agentID
    }

    /// The group's agents with their counters, locked for this transaction.
    func lockedSlots(in groupID: UUID, on connection: PostgresConnection) async throws -> [AgentSlot] {
        try await lockedSlots(in: [groupID], on: connection)[groupID] ?? []
    }

    /// The agents of several groups with their counters, locked for this transaction: every group's rows (by
    /// group, then agent) before any agent's overall row (by agent), the order every transaction keeps. One round
    /// trip: the agents' rows are locked only once the array of their ids has read, and so locked, every group row.
    func lockedSlots(in groupIDs: [UUID], on connection: PostgresConnection) async throws -> [UUID: [AgentSlot]] {
        try await reading(groupIDs, locking: true, on: connection).slots
    }

    /// The agents of several groups with their counters as they were when read, with the row versions that
    /// ``checkUnchanged(_:to:)`` compares; `locking` as ``lockedSlots(in:on:)`` does.
    func reading(_ groupIDs: [UUID], locking: Bool, on connection: PostgresConnection) async throws -> DistributionReading {
        var binds = PostgresBindings()
        binds.append(groupIDs)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                \(agentRows(
                    groups: "$1", locking: locking,
                    slotColumns: "handling, active AND NOT excluded AS active, new_active, max_tickets, allocated, last_assigned_at, xmin::text AS version",
                    totalColumns: "new_active, overall_max_tickets, signed_out, xmin::text AS version"))
                SELECT s.group_id, s.agent_id, s.handling, s.active, s.new_active, s.max_tickets, s.allocated, s.last_assigned_at,
                       t.new_active, t.overall_max_tickets, t.signed_out, s.version, t.version
                FROM slots s LEFT JOIN totals t ON t.id = s.agent_id ORDER BY s.group_id, s.agent_id
                """, binds: binds), logger: database.logger)
        var read = DistributionReading(groupIDs: groupIDs, locked: locking)
        for try await (group, agent, handling, active, newActive, max, allocated, last, overallNewActive, overallMax, signedOut, version, agentVersion)
            in rows.decode((UUID, UUID, String, Bool, Int, Int?, Int, Date?, Int?, Int?, Bool?, String, String?).self)
        {
            read.slots[group, default: []].append(AgentSlot(
                agentID: agent, handling: AgentSlot.Handling(rawValue: handling) ?? .pull,
                // A signed-out agent keeps their status but receives nothing until they sign in again.
                active: active && signedOut != true, newActive: newActive, groupMax: max, overallNewActive: overallNewActive ?? 0,
                overallMax: overallMax, allocated: allocated, lastAssignedAt: last))
            read.noteVersions(group: group, agent: agent, membership: version, agentRow: agentVersion)
        }
        return read
    }

    /// Adds to `statement` a check, run before its writing parts, that the rows `reading` read are unchanged: it
    /// locks them in ``lockedSlots(in:on:)``'s order and compares their versions (`xmin`), so that a statement
    /// written from an unlocked reading either finds what the round robin saw, or fails with
    /// ``DistributionMoved/sqlState`` and writes nothing. Any change counts, even one the round robin would not
    /// have minded; a membership added or removed too. A locked reading is not compared (a bound flag, so that the
    /// statement's text stays the same).
    func checkUnchanged(_ reading: DistributionReading, to statement: inout CompositeStatement) {
        let rows = agentRows(
            groups: "\(statement.bind(reading.groupIDs))::uuid[]", locking: true, slotColumns: "xmin::text AS version", totalColumns: "xmin::text AS version")
        statement.check("""
            \(rows),
            read_slots AS (
                SELECT * FROM unnest(\(statement.bind(reading.memberships.map(\.group)))::uuid[], \(statement.bind(reading.memberships.map(\.agent)))::uuid[],
                                     \(statement.bind(reading.memberships.map(\.version)))::text[]) AS r(group_id, agent_id, version)),
            read_totals AS (
                SELECT * FROM unnest(\(statement.bind(reading.agentRows.map(\.agent)))::uuid[], \(statement.bind(reading.agentRows.map(\.version)))::text[])
                    AS r(id, version))
            SELECT \(database.schema).distribution_unchanged(\(statement.bind(reading.locked)) OR (
                NOT EXISTS (SELECT * FROM slots EXCEPT SELECT * FROM read_slots) AND NOT EXISTS (SELECT * FROM read_slots EXCEPT SELECT * FROM slots)
                AND NOT EXISTS (SELECT * FROM totals EXCEPT SELECT * FROM read_totals) AND NOT EXISTS (SELECT * FROM read_totals EXCEPT SELECT * FROM totals)))
            """)
    }

    /// `WITH slots …, totals …`: the agent rows of the groups in `groups` (an array parameter) with `slotColumns`, then
    /// their agents' overall rows with `totalColumns`, each with its key first; `locking`, in the order every
    /// transaction keeps: the agents' rows are locked only once the array of their ids has read, and so locked, every
    /// group row.
    private func agentRows(groups: String, locking: Bool, slotColumns: String, totalColumns: String) -> String {
        let lock = locking ? "FOR UPDATE" : ""
        return """
            WITH slots AS MATERIALIZED (
                SELECT group_id, agent_id, \(slotColumns) FROM \(database.table("agent_groups"))
                WHERE group_id = ANY(\(groups)) ORDER BY group_id, agent_id \(lock)),
            totals AS MATERIALIZED (
                SELECT id, \(totalColumns) FROM \(database.table("agents"))
                WHERE id = ANY(ARRAY(SELECT agent_id FROM slots)) ORDER BY id \(lock))
            """
    }

    /// Counts new tickets received by agents (``RoundRobin/distribute(_:slots:from:)``'s `assigned`): allocations,
    /// group and overall new-active counts, the moment of the last assignment.
    func record(_ assigned: [GroupAgent: Int], to statement: inout CompositeStatement) {
        guard statement.wantsPart(rows: assigned.count) else { return }
        let entries = assigned.sorted { ($0.key.groupID.uuidString, $0.key.agentID.uuidString) < ($1.key.groupID.uuidString, $1.key.agentID.uuidString) }
        let groups = statement.bind(entries.map(\.key.groupID))
        let agents = statement.bind(entries.map(\.key.agentID))
        let counts = statement.bind(entries.map(\.value))
        statement.add("""
            UPDATE \(database.table("agent_groups")) ag SET allocated = allocated + c.n, new_active = new_active + c.n, last_assigned_at = clock_timestamp()
            FROM unnest(\(groups)::uuid[], \(agents)::uuid[], \(counts)::integer[]) AS c(group_id, agent_id, n)
            WHERE ag.group_id = c.group_id AND ag.agent_id = c.agent_id
            """)
        statement.add("""
            UPDATE \(database.table("agents")) a SET new_active = a.new_active + t.n
            FROM (SELECT agent_id, sum(n)::integer AS n FROM unnest(\(agents)::uuid[], \(counts)::integer[]) AS c(agent_id, n) GROUP BY agent_id) t
            WHERE a.id = t.agent_id
            """)
    }

    /// A ticket given to a named agent (an agent's own new ticket, a transfer to them) that counts as a ticket they
    /// received [S001:2918-2922]: their new-active counts (Max Tickets) and their allocation in the round robin grow if
    /// they are a member of the group, as a ticket the round robin gave them would. True when it was counted.
    func countReceived(agentID: UUID, groupID: UUID, on connection: PostgresConnection) async throws -> Bool {
        _ = try await lockedSlots(in: groupID, on: connection)
        var binds = PostgresBindings()
        binds.append(groupID)
        binds.append(agentID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                WITH slot AS (
                    UPDATE \(database.table("agent_groups")) SET new_active = new_active + 1, allocated = allocated + 1
                    WHERE group_id = $1 AND agent_id = $2 RETURNING agent_id)
                UPDATE \(database.table("agents")) SET new_active = new_active + 1 WHERE id IN (SELECT agent_id FROM slot) RETURNING id
                """, binds: binds), logger: database.logger)
        var counted = false
        for try await _ in rows { counted = true }
        return counted
    }

    /// A Waiting ticket or a follow-up that turned Active for its owner: it does not count toward their Max Tickets, but
    /// it does count in the round robin's allocation, so that new work goes first to those with less of it.
    func countReactivated(agentID: UUID, groupID: UUID, on connection: PostgresConnection) async throws {
        try await update(agentID, in: groupID, """
            UPDATE \(database.table("agent_groups")) SET allocated = allocated + 1 WHERE group_id = $1 AND agent_id = $2
            """, on: connection)
    }

    /// A ticket stops counting toward its owner's Max Tickets (it left Active, changed owner or group, or is gone).
    func release(agentID: UUID, groupID: UUID, on connection: PostgresConnection) async throws {
        try await update(agentID, in: groupID, """
            WITH slot AS (
                UPDATE \(database.table("agent_groups")) SET new_active = greatest(new_active - 1, 0)
                WHERE group_id = $1 AND agent_id = $2 RETURNING agent_id)
            UPDATE \(database.table("agents")) SET new_active = greatest(new_active - 1, 0) WHERE id = $2
            """, on: connection)
    }

    /// Runs `sql` on one agent's counters in one group (`$1` the group, `$2` the agent), once the group's rows are locked
    /// in the order every transaction keeps (``lockedSlots(in:on:)``): a transaction that took one agent's row first and
    /// the group's others after (a close that frees room and then drains the queue) would deadlock with another doing
    /// the same for a second agent.
    private func update(_ agentID: UUID, in groupID: UUID, _ sql: String, on connection: PostgresConnection) async throws {
        _ = try await lockedSlots(in: groupID, on: connection)
        var binds = PostgresBindings()
        binds.append(groupID)
        binds.append(agentID)
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger).consume()
    }

    /// The pool reset when an agent goes active in a group: every agent's allocation becomes their count of
    /// open, active tickets in the group.
    func resetPool(in groupID: UUID, on connection: PostgresConnection) async throws {
        _ = try await lockedSlots(in: groupID, on: connection)
        var binds = PostgresBindings()
        binds.append(groupID)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("agent_groups")) ag SET allocated = (
                    SELECT count(*) FROM \(database.table("tickets")) t
                    WHERE t.group_id = ag.group_id AND t.agent_id = ag.agent_id AND t.status = 'active' AND t.deleted_at IS NULL)
                WHERE ag.group_id = $1
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// Hands queued Active tickets of the group (by priority, then age) to agents with room (of `among`, when
    /// given) until none can take one; tickets another transaction holds are skipped. Answers (ticket, agent) for
    /// each assignment.
    func drainQueue(of groupID: UUID, among: Set<UUID>? = nil, on connection: PostgresConnection) async throws -> [(ticket: UUID, agent: UUID)] {
        var assigned: [(UUID, UUID)] = []
        while true {
            var binds = PostgresBindings()
            binds.append(groupID)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    SELECT id FROM \(database.table("tickets"))
                    WHERE group_id = $1 AND agent_id IS NULL AND status = 'active' AND deleted_at IS NULL
                    ORDER BY priority DESC, created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
                    """, binds: binds), logger: database.logger)
            var next: UUID?
            for try await id in rows.decode(UUID.self) { next = id }
            guard let ticketID = next, let agentID = try await choose(in: groupID, countsTowardMax: true, among: among, on: connection) else { return assigned }
            var assign = PostgresBindings()
            assign.append(agentID)
            assign.append(ticketID)
            try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("tickets")) SET agent_id = $1, counts_toward_max = true, version = version + 1 WHERE id = $2", binds: assign),
                logger: database.logger
            ).consume()
            assigned.append((ticketID, agentID))
        }
    }
}
