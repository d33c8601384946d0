import PostgresNIO

/// Runs `body` and turns PostgreSQL's unique violation (SQLSTATE 23505) into `problem`, the answer a client
/// should get when what it sent already exists.
public func translatingUniqueViolation<T>(
    into problem: @autoclosure () -> any Error, _ body: () async throws -> T
) async throws -> T {
    do {
        return try await body()
    } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
        throw problem()
    }
}
