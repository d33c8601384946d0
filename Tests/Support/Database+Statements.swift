import Database
import PostgresNIO

extension Database {
    /// Runs each statement in turn, without parameters: a test's setup of rows and statistics.
    public func run(_ statements: [String]) async throws {
        for sql in statements { try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).consume() }
    }
}

extension Database {
    /// Inserts `copies` copies of the rows of `table` that `source` selects (a condition on the row `r`), each with the
    /// columns of `changed` set to their SQL expressions (which may read `r` and `n`, the copy's number) and a new
    /// `id`, then analyzes the table: the many rows a test of a statement's plan needs. `OFFSET 0` keeps the record
    /// built once a row: expanded with `.*` in the outer select, it would be built again for every column.
    public func copyRows(of table: String, where source: String = "true", copies: Int, changing changed: KeyValuePairs<String, String> = [:]) async throws {
        let values = (["'id', gen_random_uuid()"] + changed.map { "'\($0.key)', \($0.value)" }).joined(separator: ", ")
        try await run([
            """
            INSERT INTO \(table) SELECT (copy).* FROM (
                SELECT jsonb_populate_record(NULL::\(table), to_jsonb(r) || jsonb_build_object(\(values))) AS copy
                FROM \(table) r, generate_series(1, \(copies)) n WHERE \(source) OFFSET 0) copies
            """,
            "ANALYZE \(table)",
        ])
    }
}
