import Database
import Foundation
import PostgresNIO

/// A command naming a department tickets has not learned yet: identity's `department.created` travels on
/// `identity.events` and the command on `tickets.commands`, so the command can come first.
struct DepartmentNotKnownYet: Error {
    var departmentID: UUID
}

/// A command naming a department that was deleted together with its tickets: nowhere to open its ticket.
struct DepartmentGone: Error {
    var departmentID: UUID
}

/// Commands kept until their department is known, so that a customer's first message to a new department is not
/// lost: parked by the commands consumer, run by the directory consumer in the transaction that writes the
/// department. Both take the department's advisory lock, so that a command parked while the department is being
/// written is either seen by that write or finds the department itself. A command whose department was deleted with
/// its tickets is kept too (`department_deleted`), for an administrator to place (``ParkedCommandController``), as is
/// one whose department never comes.
struct ParkedCommands: Sendable {
    let database: Database

    /// Keeps the command for `department` in the caller's transaction; false, keeping nothing, when the department
    /// became known meanwhile, or was created and deleted meanwhile (run the command again: it follows the deletion).
    func park(_ type: String, _ bytes: [UInt8], department: UUID, on connection: PostgresConnection) async throws -> Bool {
        try await lock(department, on: connection)
        var binds = PostgresBindings()
        binds.append(department)
        binds.append(type)
        binds.append(ByteBuffer(bytes: bytes))
        let parked = try await connection.firstValue(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("parked_commands")) (department_id, type, event)
                SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM \(database.table("departments")) WHERE id = $1)
                    AND NOT EXISTS (SELECT 1 FROM \(database.table("deleted_departments")) WHERE id = $1)
                RETURNING true
                """, binds: binds), as: Bool.self, logger: database.logger)
        return parked ?? false
    }

    /// Keeps the command for an administrator, its department deleted with its tickets.
    func hold(_ type: String, _ bytes: [UInt8], department: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(department)
        binds.append(type)
        binds.append(ByteBuffer(bytes: bytes))
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("parked_commands")) (department_id, type, event, reason) VALUES ($1, $2, $3, '\(ParkedCommand.Reason.departmentDeleted.rawValue)')
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// The oldest `limit` kept commands after the one numbered `after` (each event may carry a whole email, so a page
    /// is bounded).
    func list(after: Int64?, limit: Int) async throws -> [ParkedCommand] {
        var binds = PostgresBindings()
        binds.append(after ?? 0)
        binds.append(limit)
        return try await Self.commands(try await database.client.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.columns) FROM \(database.table("parked_commands")) WHERE id > $1 ORDER BY id LIMIT $2", binds: binds),
            logger: database.logger))
    }

    /// Takes one kept command in the caller's transaction (which places it), nil when it is gone.
    func take(_ id: Int64, on connection: PostgresConnection) async throws -> ParkedCommand? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await Self.commands(try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("parked_commands")) WHERE id = $1 RETURNING \(Self.columns)", binds: binds),
            logger: database.logger)
        ).first
    }

    private static let columns = "id, department_id, type, event, reason, parked_at"

    private static func commands(_ rows: PostgresRowSequence) async throws -> [ParkedCommand] {
        var found: [ParkedCommand] = []
        for try await (id, department, type, event, reason, parkedAt) in rows.decode((Int64, UUID, String, ByteBuffer, String, Date).self) {
            found.append(ParkedCommand(
                id: id, departmentID: department, type: type, bytes: Array(buffer: event), reason: ParkedCommand.Reason(rawValue: reason) ?? .departmentUnknown,
                parkedAt: parkedAt))
        }
        return found
    }

    /// Takes the commands parked for `department`, oldest first, in the caller's transaction (which runs them).
    func release(department: UUID, on connection: PostgresConnection) async throws -> [(type: String, bytes: [UInt8])] {
        try await lock(department, on: connection)
        var binds = PostgresBindings()
        binds.append(department)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                DELETE FROM \(database.table("parked_commands")) WHERE department_id = $1 RETURNING id, type, event
                """, binds: binds), logger: database.logger)
        var released: [(id: Int64, type: String, bytes: [UInt8])] = []
        for try await (id, type, event) in rows.decode((Int64, String, ByteBuffer).self) { released.append((id, type, Array(buffer: event))) }
        return released.sorted { $0.id < $1.id }.map { ($0.type, $0.bytes) }
    }

    private func lock(_ department: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append("parked_commands:\(department.uuidString.lowercased())")
        try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", binds: binds), logger: database.logger
        ).consume()
    }
}
