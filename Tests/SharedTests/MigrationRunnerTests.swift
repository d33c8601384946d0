import Database
import Foundation
import PostgresNIO
import Testing
import TestSupport

@Suite("Migrations", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct MigrationRunnerTests {
    static let migrations = [
        Migration(version: 101, name: "second", sql: ["ALTER TABLE {schema}.widgets ADD COLUMN size integer"]),
        Migration(version: 100, name: "first", sql: ["CREATE TABLE {schema}.widgets (id integer PRIMARY KEY)"]),
    ]

    /// The platform's versions, then the service's.
    static let expected = PlatformMigrations.all.map(\.version) + [100, 101]

    @Test("Pending migrations run in version order, are recorded, and a second run applies nothing")
    func orderedAndRecorded() async throws {
        try await TestDatabase.withFreshSchema("widgets") { database in
            let runner = MigrationRunner(database: database, migrations: Self.migrations)
            #expect(try await runner.run() == Self.expected)
            #expect(try await runner.run() == [])
            var recorded: [Int] = []
            let rows = try await database.client.query(PostgresQuery(unsafeSQL: "SELECT version FROM \(database.table("schema_migrations")) ORDER BY version"))
            for try await version in rows.decode(Int.self) { recorded.append(version) }
            #expect(recorded == Self.expected)
        }
    }

    @Test("Instances migrating the same schema at the same moment do not collide and apply each step once")
    func concurrentRunners() async throws {
        try await TestDatabase.withFreshSchema("race") { database in
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<6 {
                    group.addTask { try await MigrationRunner(database: database, migrations: Self.migrations).run() }
                }
                var all: [[Int]] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(applied.filter { !$0.isEmpty } == [Self.expected])
        }
    }

    @Test("A failing migration leaves the schema as it was")
    func failingMigrationRollsBack() async throws {
        try await TestDatabase.withFreshSchema("broken") { database in
            let broken = Self.migrations + [Migration(version: 102, name: "broken", sql: ["ALTER TABLE {schema}.missing ADD COLUMN x int"])]
            await #expect(throws: (any Error).self) { try await MigrationRunner(database: database, migrations: broken).run() }
            let applied = try await MigrationRunner(database: database, migrations: Self.migrations).run()
            #expect(applied == Self.expected)
        }
    }
}
