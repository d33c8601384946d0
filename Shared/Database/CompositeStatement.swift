import PostgresNIO

/// One statement made of several data-modifying parts, `WITH p1 AS (INSERT …), p2 AS (UPDATE …) SELECT 1`, each
/// part writing its rows from array parameters: changes to several tables cost one round trip. The parts see
/// one snapshot and run in one transaction (the statement's, or the caller's); constraints are checked at its end,
/// so a part may insert rows that reference rows another part inserts.
public struct CompositeStatement: Sendable {
    private(set) var binds = PostgresBindings()
    private(set) var types: [PostgresDataType] = []
    private var parts: [String] = []
    private var checks: [String] = []
    /// Whether parts with no rows are written anyway (from empty arrays), so that the statement's text is the same
    /// whatever its rows: the shape ``run(on:logger:preparedAs:)`` can prepare. The builders of parts skip a part
    /// with no rows unless this is set.
    public let keepsEmptyParts: Bool

    public init(keepsEmptyParts: Bool = false) {
        self.keepsEmptyParts = keepsEmptyParts
    }

    /// Adds a parameter and answers its placeholder (`$n`).
    public mutating func bind<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value) -> String {
        binds.append(value)
        types.append(Value.psqlType)
        return "$\(binds.count)"
    }

    /// Adds a data-modifying part (an INSERT, UPDATE or DELETE) and answers its name, by which a later part may read
    /// the rows it returns (`INSERT … RETURNING id`, then `INSERT … SELECT id FROM p1`).
    @discardableResult
    public mutating func add(_ sql: String) -> String {
        parts.append(sql)
        return "p\(parts.count)"
    }

    /// Adds a check: a query the statement's final `SELECT` reads, so PostgreSQL runs it before the data-modifying
    /// parts, which that `SELECT` does not read (PostgreSQL runs those once it is done). A check that raises an error
    /// therefore stops the statement before it wrote anything, and the rows a check locks are locked before the parts'.
    /// Checks are `MATERIALIZED`, so that every column of their rows is computed even though the `SELECT` reads none.
    /// That order is PostgreSQL's implementation (the documentation leaves it open), pinned by PreparedCompositeTests.
    public mutating func check(_ sql: String) {
        checks.append(sql)
    }

    public var isEmpty: Bool { parts.isEmpty }

    /// Whether a builder adds its part for `rows` rows: always when the statement keeps empty parts, otherwise only
    /// when there are rows to write.
    public func wantsPart(rows: Int) -> Bool { rows > 0 || keepsEmptyParts }

    public var query: PostgresQuery {
        let named = parts.enumerated().map { "p\($0.offset + 1) AS (\($0.element))" }
        let checked = checks.enumerated().map { "c\($0.offset + 1) AS MATERIALIZED (\($0.element))" }
        let final = checks.isEmpty ? "SELECT 1" : "SELECT 1 FROM \(checks.indices.map { "c\($0 + 1)" }.joined(separator: ", "))"
        return PostgresQuery(unsafeSQL: "WITH \((named + checked).joined(separator: ",\n")) \(final)", binds: binds)
    }

    /// Runs the statement on `connection` (nothing when it has no parts).
    public func run(on connection: PostgresConnection, logger: Logger) async throws {
        guard !isEmpty else { return }
        try await connection.query(query, logger: logger).consume()
    }

    /// Runs the statement as `Shape`'s prepared statement: PostgreSQL parses and plans it once per connection instead
    /// of on every run. A statement whose text or parameter types differ from the shape's runs unprepared.
    public func run<Shape: PreparedCompositeShape>(on connection: PostgresConnection, logger: Logger, preparedAs shape: Shape.Type) async throws {
        guard !isEmpty else { return }
        let query = self.query
        switch Shape.text.admits(sql: query.sql, types: types) {
        case .admitted:
            for try await _ in try await connection.execute(PreparedComposite<Shape>(binds: binds), logger: logger) {}
        case .refused(let first):
            if first { logger.warning("a statement of another text than its prepared shape's runs unprepared", metadata: ["shape": "\(Shape.name)"]) }
            try await connection.query(query, logger: logger).consume()
        }
    }
}
