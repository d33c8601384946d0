import PostgresNIO

/// One statement made of several data-modifying parts, `WITH p1 AS (INSERT …), p2 AS (UPDATE …) SELECT 1`, each
/// part writing its rows from array parameters: changes to several tables cost one round trip. The parts see
/// one snapshot and run in one transaction (the statement's, or the caller's); constraints are checked at its end,
/// so a part may insert rows that reference rows another part inserts.
public struct CompositeStatement: Sendable {
    private var binds = PostgresBindings()
    private var parts: [String] = []

    public init() {}

    /// Adds a parameter and answers its placeholder (`$n`).
    public mutating func bind<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Adds a data-modifying part (an INSERT, UPDATE or DELETE) and answers its name, by which a later part may read
    /// the rows it returns (`INSERT … RETURNING id`, then `INSERT … SELECT id FROM p1`).
    @discardableResult
    public mutating func add(_ sql: String) -> String {
        parts.append(sql)
        return "p\(parts.count)"
    }

    public var isEmpty: Bool { parts.isEmpty }

    public var query: PostgresQuery {
        let named = parts.enumerated().map { "p\($0.offset + 1) AS (\($0.element))" }
        return PostgresQuery(unsafeSQL: "WITH \(named.joined(separator: ",\n")) SELECT 1", binds: binds)
    }

    /// Runs the statement on `connection` (nothing when it has no parts).
    public func run(on connection: PostgresConnection, logger: Logger) async throws {
        guard !isEmpty else { return }
        try await connection.query(query, logger: logger).consume()
    }
}
