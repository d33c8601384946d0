import Contracts
import Database
import Foundation
import PostgresNIO

/// The view counts, spread over shards per cell so that a brand's or department's busy counter is not one row
/// every new ticket waits for; reads add the shards up. A change may land in any shard, so each database
/// connection writes its own (by backend process id): concurrent transactions then hold different rows, and
/// none waits for another's commit.
struct CountStore: Sendable {
    static let shards = 64
    let database: Database

    func apply(_ delta: [CountCell: Int], on connection: PostgresConnection) async throws {
        var statement = CompositeStatement()
        apply(delta, to: &statement)
        try await statement.run(on: connection, logger: database.logger)
    }

    /// Adds the changes to the counts to a statement that writes other changes too.
    func apply(_ delta: [CountCell: Int], to statement: inout CompositeStatement) {
        let cells = delta.filter { $0.value != 0 }.sorted {
            ($0.key.scope, $0.key.scopeID, $0.key.status) < ($1.key.scope, $1.key.scopeID, $1.key.status)
        }
        guard statement.wantsPart(rows: cells.count) else { return }
        statement.add("""
            INSERT INTO \(database.table("ticket_counts")) AS c (scope, scope_id, status, shard, n)
            SELECT scope, scope_id, status, pg_backend_pid() % \(statement.bind(Self.shards)), delta
            FROM unnest(\(statement.bind(cells.map(\.key.scope)))::text[], \(statement.bind(cells.compactMap { UUID(parsing: $0.key.scopeID) }))::uuid[],
                        \(statement.bind(cells.map(\.key.status)))::text[], \(statement.bind(cells.map(\.value)))::integer[]) AS d(scope, scope_id, status, delta)
            ON CONFLICT (scope, scope_id, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n
            """)
    }

    /// Counts by (scope id, status) for the given scope and ids.
    func counts(scope: String, ids: [UUID]) async throws -> [String: [String: Int]] {
        guard !ids.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(scope)
        binds.append(ids)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT scope_id, status, sum(n)::integer FROM \(database.table("ticket_counts"))
                WHERE scope = $1 AND scope_id = ANY($2) GROUP BY scope_id, status
                """, binds: binds), logger: database.logger)
        var result: [String: [String: Int]] = [:]
        for try await (id, status, n) in rows.decode((UUID, String, Int).self) { result[id.uuidString.lowercased(), default: [:]][status] = n }
        return result
    }

    /// The departments where each of `agents` holds tickets that are not deleted (any status), from their
    /// ``CountPlacement/agentInScope(_:)`` counts; by agent id, lower case.
    func ticketDepartments(of agents: [UUID]) async throws -> [String: Set<String>] {
        guard !agents.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(agents.map { CountPlacement.agentInScope($0.lowercased) })
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT scope, scope_id FROM \(database.table("ticket_counts"))
                WHERE scope = ANY($1) GROUP BY scope, scope_id HAVING sum(n) > 0
                """, binds: binds), logger: database.logger)
        var result: [String: Set<String>] = [:]
        for try await (scope, department) in rows.decode((String, UUID).self) {
            result[String(scope.dropFirst(CountPlacement.agentInScope("").count)), default: []].insert(department.lowercased)
        }
        return result
    }

    /// Counts by status summed over the given ids of a scope (a manager's departments, an agent's Queue).
    func totals(scope: String, ids: [UUID]) async throws -> [String: Int] {
        try await counts(scope: scope, ids: ids).values.reduce(into: [:]) { total, byStatus in total.merge(byStatus, uniquingKeysWith: +) }
    }

    /// Counts by status over every id of a scope (the whole Queue for those who see everything).
    func totals(scope: String) async throws -> [String: Int] {
        var binds = PostgresBindings()
        binds.append(scope)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT status, sum(n)::integer FROM \(database.table("ticket_counts")) WHERE scope = $1 GROUP BY status", binds: binds),
            logger: database.logger)
        var result: [String: Int] = [:]
        for try await (status, n) in rows.decode((String, Int).self) { result[status] = n }
        return result
    }
}
