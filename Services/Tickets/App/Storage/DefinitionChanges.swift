import Database
import PostgresNIO

extension TicketStore {
    /// Runs `sql`, a statement answering a row for what it wrote, and when it wrote anything announces `definition` as
    /// `type` in the same transaction (`custom_field.*`, `time_log_category.*`); false when it wrote nothing.
    func changeDefinition<Definition: Codable & Sendable>(
        _ sql: String, _ binds: PostgresBindings, announcing type: String, id: String, definition: Definition
    ) async throws -> Bool {
        try await database.transaction { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger)
            guard try await rows.collect().isEmpty == false else { return false }
            try await events.publish(type, id: id, definition: definition, on: connection)
            return true
        }
    }
}
