import Database
import Foundation
import PostgresNIO

/// What PostgreSQL did running a statement with the generic plan every service query gets (``DatabaseURL``):
/// the statement is prepared, run by `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE` in a transaction that is rolled back,
/// and deallocated. (`EXPLAIN` of the statement itself with bound values would plan it for those values.)
public struct QueryPlan: Sendable {
    let root: [String: any Sendable]

    /// Runs `sql`, whose parameters `$1…` take `values` (SQL literals such as `'2026-01-01'::timestamptz` or `200`),
    /// and reads its plan; whatever it changed is rolled back.
    public static func explain(_ sql: String, values: [String], on database: Database) async throws -> QueryPlan {
        try await database.client.withConnection { connection in
            func run(_ text: String) async throws -> String {
                var result = ""
                let rows = try await connection.query(PostgresQuery(unsafeSQL: text), logger: database.logger)
                for try await part in rows.decode(String.self) { result += part }
                return result
            }
            try await connection.query("BEGIN", logger: database.logger).consume()
            let text: String
            do {
                try await connection.query(PostgresQuery(unsafeSQL: "PREPARE planned AS \(sql)"), logger: database.logger).consume()
                let arguments = values.isEmpty ? "" : "(\(values.joined(separator: ", ")))"
                text = try await run("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE planned\(arguments)")
            } catch {
                try await connection.query("ROLLBACK", logger: database.logger).consume()
                try? await connection.query("DEALLOCATE planned", logger: database.logger).consume()
                throw error
            }
            try await connection.query("ROLLBACK", logger: database.logger).consume()
            try await connection.query("DEALLOCATE planned", logger: database.logger).consume()
            let explained = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
            guard let root = explained?.first?["Plan"] as? [String: Any] else { throw TestSetupError("no plan in \(text)") }
            return QueryPlan(root: Self.sendable(root))
        }
    }

    /// The rows every node scanning `relation` read, over all its loops: those it returned and those its filter
    /// removed. A plan that does not read `relation` is an error, not zero rows.
    public func rowsRead(from relation: String) throws -> Int {
        func number(_ value: (any Sendable)?) -> Double { (value as? Double) ?? (value as? Int).map(Double.init) ?? 0 }
        func walk(_ node: [String: any Sendable]) -> (nodes: Int, rows: Double) {
            var found = (nodes: 0, rows: 0.0)
            if node["Relation Name"] as? String == relation {
                let read = number(node["Actual Rows"]) + number(node["Rows Removed by Filter"])
                found = (1, read * max(1, number(node["Actual Loops"])))
            }
            for child in node["Plans"] as? [[String: any Sendable]] ?? [] {
                let below = walk(child)
                found = (found.nodes + below.nodes, found.rows + below.rows)
            }
            return found
        }
        let found = walk(root)
        guard found.nodes > 0 else { throw TestSetupError("the plan does not read \(relation)") }
        return Int(found.rows.rounded())
    }

    /// The index conditions of the nodes scanning `relation` (empty when it was not read through an index bound).
    public func indexConditions(on relation: String) -> [String] {
        func walk(_ node: [String: any Sendable]) -> [String] {
            var found: [String] = []
            if node["Relation Name"] as? String == relation, let condition = node["Index Cond"] as? String { found.append(condition) }
            for child in node["Plans"] as? [[String: any Sendable]] ?? [] { found += walk(child) }
            return found
        }
        return walk(root)
    }

    private static func sendable(_ node: [String: Any]) -> [String: any Sendable] {
        var copy: [String: any Sendable] = [:]
        for (key, value) in node {
            switch value {
            case let text as String: copy[key] = text
            case let number as Int: copy[key] = number
            case let number as Double: copy[key] = number
            case let children as [[String: Any]]: copy[key] = children.map(sendable)
            default: continue
            }
        }
        return copy
    }
}
