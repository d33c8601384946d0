import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Rebalance rules as rows: the rule itself as a document, beside the columns the triggers look up. A rule that
/// is due has `next_run_at` in the past; it is claimed with SKIP LOCKED, so with several instances each run
/// happens once, and an agent starting or stopping makes the group's matching rules due at once.
extension TicketStore {
    public func rebalanceRules(group: UUID? = nil) async throws -> [RebalanceRule] {
        var binds = PostgresBindings()
        binds.append(group)
        return try await database.client.withConnection { connection in
            try await rules("WHERE $1::uuid IS NULL OR group_id = $1 ORDER BY rule->>'name', id", binds, on: connection)
        }
    }

    public func rebalanceRule(_ id: UUID) async throws -> RebalanceRule? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await database.client.withConnection { try await rules("WHERE id = $1", binds, on: $0).first }
    }

    /// Creates the rule (`expectedVersion` nil and no row) or replaces it (412 when the version moved on).
    public func saveRebalanceRule(_ input: RebalanceRuleInput, id: UUID, expectedVersion: Int?, now: Date = Date()) async throws -> RebalanceRule {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            let existing = try await rules("WHERE id = $1 FOR UPDATE", binds, on: connection).first
            if let expectedVersion, existing?.version != expectedVersion {
                throw Problem.preconditionFailed("The rule changed since you read it (version \(existing?.version ?? 0)).")
            }
            var rule = try RebalanceRules.rule(from: input, id: id.lowercased, version: (existing?.version ?? 0) + 1)
            let groupKnown = try await directoryScope(brandID: nil, departmentID: nil, groupID: rule.groupID, on: connection).groupDepartment != nil
            try Problem.throwIfInvalid(
                RebalanceRules.membershipErrors(of: rule, groupKnown: groupKnown, members: try await members(of: rule.groupID, on: connection)))
            rule.lastRunAt = existing?.lastRunAt
            rule.nextRunAt = RebalanceRules.nextRun(ofEdited: rule, pending: existing?.nextRunAt, sameGroup: existing?.groupID == rule.groupID, after: now)
            try await store(rule, on: connection)
            return rule
        }
    }

    /// The agents of group `groupID` (lower case).
    private func members(of groupID: String, on connection: PostgresConnection) async throws -> Set<String> {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: groupID))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT agent_id FROM \(database.table("agent_groups")) WHERE group_id = $1", binds: binds), logger: database.logger)
        var members: Set<String> = []
        for try await agent in rows.decode(UUID.self) { members.insert(agent.lowercased) }
        return members
    }

    /// Deletes the rule; false when there was none.
    public func deleteRebalanceRule(_ id: UUID) async throws -> Bool {
        try await deleteRow(of: "rebalance_rules", id: id)
    }

    /// An agent started (`started`) or stopped receiving tickets in these groups: their rules that run on that
    /// become due now.
    func triggerRebalanceRules(groups: [UUID], started: Bool, on connection: PostgresConnection) async throws {
        guard !groups.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(groups)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("rebalance_rules")) SET next_run_at = now()
                WHERE group_id = ANY($1) AND \(started ? "on_agent_start" : "on_agent_stop")
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// Claims the earliest due rule, runs it and schedules its next run, in one transaction; nil when none is due,
    /// else how many tickets changed hands.
    public func runDueRebalanceRule(now: Date = Date()) async throws -> Int? {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(now)
            guard let rule = try await rules(
                "WHERE next_run_at <= $1 ORDER BY next_run_at LIMIT 1 FOR UPDATE SKIP LOCKED", binds, on: connection
            ).first, let group = UUID(parsing: rule.groupID) else { return nil }
            let moved = try await rebalance(group: group, policy: RebalanceRules.policy(of: rule, now: now), by: .system, on: connection)
            var ran = rule
            ran.lastRunAt = now
            ran.nextRunAt = RebalanceRules.nextRun(of: rule, after: now)
            try await store(ran, on: connection)
            return moved
        }
    }

    private func store(_ rule: RebalanceRule, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: rule.id))
        binds.append(UUID(parsing: rule.groupID))
        binds.append(try JSONColumn.encode(rule))
        binds.append(rule.onAgentStart)
        binds.append(rule.onAgentStop)
        binds.append(rule.lastRunAt)
        binds.append(rule.nextRunAt)
        binds.append(rule.version)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("rebalance_rules"))
                    (id, group_id, rule, on_agent_start, on_agent_stop, last_run_at, next_run_at, version)
                VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8)
                ON CONFLICT (id) DO UPDATE SET group_id = $2, rule = $3::jsonb, on_agent_start = $4, on_agent_stop = $5,
                    last_run_at = $6, next_run_at = $7, version = $8
                """, binds: binds), logger: database.logger
        ).consume()
    }

    private func rules(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [RebalanceRule] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT rule::text, last_run_at, next_run_at, version FROM \(database.table("rebalance_rules")) \(tail)", binds: binds),
            logger: database.logger)
        var result: [RebalanceRule] = []
        for try await (text, lastRun, nextRun, version) in rows.decode((String, Date?, Date?, Int).self) {
            var rule = try JSONColumn.decode(RebalanceRule.self, from: text)
            rule.lastRunAt = lastRun
            rule.nextRunAt = nextRun
            rule.version = version
            result.append(rule)
        }
        return result
    }

    /// Records that an agent opened the ticket: a rebalance holds it for the rule's "Hold After Read".
    func recordRead(of ticketID: UUID, by agent: UUID) async throws {
        var binds = PostgresBindings()
        binds.append(ticketID)
        binds.append(agent)
        try await database.client.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("ticket_reads")) (ticket_id, agent_id, at) VALUES ($1, $2, now())
                ON CONFLICT (ticket_id, agent_id) DO UPDATE SET at = now()
                """, binds: binds), logger: database.logger
        ).consume()
    }
}
