@testable import Database
import Foundation
import PostgresNIO
import Testing
import TestSupport

/// A composite statement of a fixed shape, prepared once per connection.
@Suite("Prepared composite statements", .serialized, .enabled(if: TestEnvironment.hasDatabase), .timeLimit(.minutes(2)))
struct PreparedCompositeTests {
    enum NotesShape: PreparedCompositeShape {
        static let name = "test_notes_insert"
        static let text = PreparedCompositeText()
    }

    /// Notes and their tags in one statement; with `keepsEmptyParts` the tags' part is written even without tags.
    static func statement(schema: String, notes: [String], tags: [String], keepsEmptyParts: Bool) -> CompositeStatement {
        var statement = CompositeStatement(keepsEmptyParts: keepsEmptyParts)
        statement.add("INSERT INTO \"\(schema)\".notes (text) SELECT * FROM unnest(\(statement.bind(notes))::text[])")
        if !tags.isEmpty || statement.keepsEmptyParts {
            statement.add("INSERT INTO \"\(schema)\".tags (tag) SELECT * FROM unnest(\(statement.bind(tags))::text[])")
        }
        return statement
    }

    static func withNotes(_ body: @Sendable (Database, PostgresConnection) async throws -> Void) async throws {
        try await TestDatabase.withFreshSchema("prepared_composite") { database in
            try await MigrationRunner(database: database, migrations: []).run()
            try await database.client.query(
                PostgresQuery(unsafeSQL: "CREATE TABLE \"\(database.schema)\".notes (text text NOT NULL)"), logger: database.logger).consume()
            try await database.client.query(
                PostgresQuery(unsafeSQL: "CREATE TABLE \"\(database.schema)\".tags (tag text NOT NULL)"), logger: database.logger).consume()
            try await database.client.withConnection { connection in try await body(database, connection) }
        }
    }

    static func count(_ table: String, _ database: Database, _ connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \"\(database.schema)\".\(table)"), logger: database.logger)
        for try await n in rows.decode(Int.self) { return n }
        return 0
    }

    static func prepared(_ database: Database, _ connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.query("SELECT name FROM pg_prepared_statements ORDER BY name", logger: database.logger)
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    @Test("Statements of the shape's text run prepared, whatever their rows, and write them all")
    func sameShapeRunsPrepared() async throws {
        try await Self.withNotes { database, connection in
            let schema = database.schema
            try await Self.statement(schema: schema, notes: ["a", "b"], tags: ["x"], keepsEmptyParts: true)
                .run(on: connection, logger: database.logger, preparedAs: NotesShape.self)
            try await Self.statement(schema: schema, notes: ["c"], tags: [], keepsEmptyParts: true)
                .run(on: connection, logger: database.logger, preparedAs: NotesShape.self)
            #expect(try await Self.prepared(database, connection) == [NotesShape.name])
            #expect(try await Self.count("notes", database, connection) == 3)
            #expect(try await Self.count("tags", database, connection) == 1)
        }
    }

    @Test("A statement of another text runs unprepared and still writes its rows")
    func otherShapeRunsUnprepared() async throws {
        try await Self.withNotes { database, connection in
            let schema = database.schema
            try await Self.statement(schema: schema, notes: ["a"], tags: ["x"], keepsEmptyParts: true)
                .run(on: connection, logger: database.logger, preparedAs: NotesShape.self)
            try await Self.statement(schema: schema, notes: ["b"], tags: [], keepsEmptyParts: false)
                .run(on: connection, logger: database.logger, preparedAs: NotesShape.self)
            #expect(try await Self.count("notes", database, connection) == 2)
            #expect(try await Self.count("tags", database, connection) == 1)
        }
    }

    @Test("The first statement fixes the shape; only its text and parameter types are admitted after")
    func firstStatementFixesTheShape() {
        let text = PreparedCompositeText()
        #expect(text.admits(sql: "INSERT a", types: [.textArray]) == .admitted)
        #expect(text.admits(sql: "INSERT a", types: [.textArray]) == .admitted)
        #expect(text.admits(sql: "INSERT b", types: [.textArray]) == .refused(first: true))
        #expect(text.admits(sql: "INSERT a", types: [.int8Array]) == .refused(first: false), "the first refusal alone is worth a warning")
    }
    @Test("A check runs with the statement: one that raises an error leaves the parts unwritten, one that passes lets them write")
    func checksGuardTheParts() async throws {
        try await Self.withNotes { database, connection in
            for passes in [false, true] {
                var statement = Self.statement(schema: database.schema, notes: ["a"], tags: ["x"], keepsEmptyParts: true)
                statement.check("SELECT 1 / CASE WHEN \(statement.bind(passes)) THEN 1 ELSE 0 END")
                if passes {
                    try await statement.run(on: connection, logger: database.logger)
                } else {
                    await #expect(throws: PSQLError.self) { try await statement.run(on: connection, logger: database.logger) }
                }
                #expect(try await Self.count("notes", database, connection) == (passes ? 1 : 0))
                #expect(try await Self.count("tags", database, connection) == (passes ? 1 : 0))
            }
        }
    }
    @Test("A check runs before the parts: the row a part deletes is still there for the check to lock")
    func checksRunBeforeTheParts() async throws {
        try await Self.withNotes { database, connection in
            let notes = "\"\(database.schema)\".notes"
            try await connection.query(PostgresQuery(unsafeSQL: "INSERT INTO \(notes) (text) VALUES ('r')"), logger: database.logger).consume()
            var statement = CompositeStatement()
            statement.add("DELETE FROM \(notes) WHERE text = 'r'")
            // Locking a row this statement already deleted skips it: the count would be 0, and the division fail.
            statement.check("SELECT 1 / (SELECT count(*) FROM (SELECT * FROM \(notes) WHERE text = 'r' FOR UPDATE) locked)::int")
            try await statement.run(on: connection, logger: database.logger)
            #expect(try await Self.count("notes", database, connection) == 0, "and the part ran after it")
        }
    }
}
