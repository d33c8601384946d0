import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Quality control rules, one an agent, with the count of replies that picks the copies.
extension TicketStore {
    public func qualityControlRules() async throws -> [QualityControlRule] {
        try await database.client.withConnection { try await qualityRules("ORDER BY agent_id", PostgresBindings(), on: $0) }
    }

    public func qualityControlRule(agent: UUID) async throws -> QualityControlRule? {
        var binds = PostgresBindings()
        binds.append(agent)
        return try await database.client.withConnection { try await qualityRules("WHERE agent_id = $1", binds, on: $0).first }
    }

    /// Sets the agent's rule; the count starts again. False, writing nothing, for a user tickets has not heard of.
    public func setQualityControlRule(_ rule: QualityControlRule) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: rule.agentID))
        binds.append(rule.forwardTo)
        binds.append(rule.frequency)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("quality_control")) (agent_id, forward_to, frequency, replies_counted)
                SELECT $1, $2, $3, 0 WHERE EXISTS (SELECT 1 FROM \(database.table("agents")) WHERE id = $1)
                ON CONFLICT (agent_id) DO UPDATE SET forward_to = $2, frequency = $3, replies_counted = 0
                RETURNING agent_id
                """, binds: binds),
            logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    public func deleteQualityControlRule(agent: UUID) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(agent)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("quality_control")) WHERE agent_id = $1 RETURNING agent_id", binds: binds),
            logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    /// Counts one more reply of `agent` (in the reply's transaction) and answers the reviewer's address when this
    /// reply is one to copy.
    func qualityCopy(forReplyOf agent: String, on connection: PostgresConnection) async throws -> String? {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: agent))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("quality_control")) SET replies_counted = replies_counted + 1 WHERE agent_id = $1
                RETURNING replies_counted, frequency, forward_to
                """, binds: binds),
            logger: database.logger)
        var copyTo: String?
        for try await (count, frequency, address) in rows.decode((Int, Int, String).self) where QualityControl.copies(count: count, frequency: frequency) {
            copyTo = address
        }
        return copyTo
    }

    private func qualityRules(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [QualityControlRule] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT agent_id, forward_to, frequency, replies_counted FROM \(database.table("quality_control")) \(tail)", binds: binds),
            logger: database.logger)
        var rules: [QualityControlRule] = []
        for try await (agent, address, frequency, count) in rows.decode((UUID, String, Int, Int).self) {
            rules.append(QualityControlRule(agentID: agent.uuidString.lowercased(), forwardTo: address, frequency: frequency, repliesCounted: count))
        }
        return rules
    }
}
