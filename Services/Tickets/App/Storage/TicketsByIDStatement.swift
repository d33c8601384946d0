import Contracts
import Database
import Foundation
import PostgresNIO

/// Tickets by id (with when and by whom each was deleted), deleted ones only when asked: what a ticket's own page reads first, and what turns search hits
/// into tickets. Prepared once per connection like ``ScopedViewStatement``: PostgreSQL spent 0.38 ms parsing and
/// planning it for 0.04 ms of running it (a rare-word search with one hit, on the million-ticket bench stack). On a
/// ``Database`` of another schema the same text runs unprepared.
struct TicketsByIDStatement {
    let ids: [UUID]
    let includingDeleted: Bool

    static func sql(schema: String) -> String {
        """
        SELECT \(TicketStore.columns), deleted_at, deleted_by FROM "\(schema)".tickets WHERE id = ANY($1) AND ($2 OR deleted_at IS NULL)
        """
    }

    var binds: PostgresBindings {
        var binds = PostgresBindings()
        binds.append(ids)
        binds.append(includingDeleted)
        return binds
    }

    func run(on connection: PostgresConnection, schema: String, logger: Logger) async throws -> [PostgresRow] {
        guard schema == ServiceName.tickets.schema else {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: Self.sql(schema: schema), binds: binds), logger: logger)
            return try await rows.collect()
        }
        var found: [PostgresRow] = []
        for try await row in try await connection.execute(Prepared(binds: binds), logger: logger) { found.append(row) }
        return found
    }

    struct Prepared: PostgresPreparedStatement {
        typealias Row = PostgresRow
        static var name: String { "tickets_by_id" }
        static var sql: String { preparedSQL }
        /// Built once: postgres-nio reads it on each execution.
        private static let preparedSQL = TicketsByIDStatement.sql(schema: ServiceName.tickets.schema)
        static var bindingDataTypes: [PostgresDataType] { [.uuidArray, .bool] }
        let binds: PostgresBindings

        func makeBindings() -> PostgresBindings { binds }
        func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
    }
}
