import Foundation
import Logging
import PostgresNIO

/// Applies a schema's pending migrations in order, in one transaction, under an advisory lock on the schema name,
/// so several instances starting together serialize instead of colliding on CREATE statements.
public struct MigrationRunner: Sendable {
    public let database: Database
    public let migrations: [Migration]

    public init(database: Database, migrations: [Migration]) {
        self.database = database
        self.migrations = (PlatformMigrations.all + migrations).sorted { $0.version < $1.version }
    }

    /// Returns the versions applied by this call (empty when the schema was current).
    @discardableResult
    public func run() async throws -> [Int] {
        let versions = migrations.map(\.version)
        precondition(Set(versions).count == versions.count, "duplicate migration version in \(database.schema)")
        let schema = database.schema
        let table = database.table("schema_migrations")
        return try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("concierge.migrations." + schema)))", logger: database.logger).consume()
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: database.logger).consume()
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(table) (
                        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """), logger: database.logger
            ).consume()
            var applied = Set<Int>()
            for try await version in try await connection.query(PostgresQuery(unsafeSQL: "SELECT version FROM \(table)"), logger: database.logger).decode(Int.self) {
                applied.insert(version)
            }
            var newlyApplied: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.sql {
                    let sql = statement.replacingOccurrences(of: "{schema}", with: "\"\(schema)\"")
                    try await connection.query(PostgresQuery(unsafeSQL: sql), logger: database.logger).consume()
                }
                var binds = PostgresBindings()
                binds.append(migration.version)
                binds.append(migration.name)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(table) (version, name) VALUES ($1, $2)", binds: binds),
                    logger: database.logger
                ).consume()
                newlyApplied.append(migration.version)
            }
            if !newlyApplied.isEmpty {
                database.logger.info("migrations applied", metadata: ["schema": "\(schema)", "versions": "\(newlyApplied)"])
            }
            return newlyApplied
        }
    }
}
