import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Where a command naming a department opens its ticket: in that department while tickets knows it; once it is
/// deleted, in the department its tickets were moved to (followed through later deletions). A command naming a
/// department tickets never heard of waits for it (``ParkedCommands``), and so does one whose successor is not
/// known yet; one whose department went with its tickets is kept for an administrator to place.
struct DepartmentSuccession: Sendable {
    let database: Database

    /// How many deletions in a row are followed before giving up (a cycle cannot be made, but a chain is bounded).
    static let maximumHops = 16

    /// The department a new ticket for `id` opens in, and whether it is another than `id`.
    func department(for id: UUID, store: TicketStore, on connection: PostgresConnection) async throws -> (KnownDepartment, moved: Bool) {
        var current = id
        for _ in 0..<Self.maximumHops {
            if let department = try await store.department(current, on: connection) { return (department, current != id) }
            guard let deletion = try await deletion(of: current, on: connection) else { throw DepartmentNotKnownYet(departmentID: current) }
            guard let moveTo = deletion.moveTo else { throw DepartmentGone(departmentID: current) }
            current = moveTo
        }
        throw Problem.unprocessable("The department was deleted and its tickets moved more than \(Self.maximumHops) times.")
    }

    /// Remembers a deleted department and where its tickets went.
    func remember(deleted id: String, moveTo: String?, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: id))
        binds.append(moveTo.flatMap(UUID.init(parsing:)))
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("deleted_departments")) (id, move_to) VALUES ($1, $2)
                ON CONFLICT (id) DO UPDATE SET move_to = excluded.move_to
                """, binds: binds), logger: database.logger
        ).consume()
    }

    /// A department's deletion as tickets remembers it.
    struct Deletion {
        var moveTo: UUID?
    }

    private func deletion(of id: UUID, on connection: PostgresConnection) async throws -> Deletion? {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT move_to FROM \(database.table("deleted_departments")) WHERE id = $1", binds: binds),
            logger: database.logger)
        var found: Deletion?
        for try await moveTo in rows.decode(UUID?.self) { found = Deletion(moveTo: moveTo) }
        return found
    }
}
