import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The People custom field definitions.
public struct PeopleFieldRepository: Sendable {
    let database: Database
    let events: IdentityEvents

    public init(database: Database) {
        self.database = database
        self.events = IdentityEvents(database: database)
    }

    public func all() async throws -> [PeopleField] {
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT id, name, data_type, options, default_value FROM \(database.table("people_fields")) ORDER BY lower(name)"),
            logger: database.logger)
        var fields: [PeopleField] = []
        for try await (id, name, type, options, defaultValue) in rows.decode((UUID, String, String, [String], String?).self) {
            fields.append(PeopleField(
                id: id.uuidString.lowercased(), name: name, dataType: PeopleField.DataType(rawValue: type) ?? .text, options: options,
                defaultValue: defaultValue))
        }
        return fields
    }

    public func create(_ field: PeopleField) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUID(parsing: field.id))
            binds.append(field.name)
            binds.append(field.dataType.rawValue)
            binds.append(field.options)
            binds.append(field.defaultValue)
            try await translatingUniqueViolation(into: Problem.conflict("A people field named \(field.name) exists.")) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("people_fields")) (id, name, data_type, options, default_value) VALUES ($1, $2, $3, $4, $5)", binds: binds),
                    logger: database.logger
                ).consume()
            }
            try await events.publish("people_field.created", subject: field.id, data: field, on: connection)
        }
    }

    /// Renames the definition and changes its choices and default value (its data type stays); false when there is none.
    public func update(_ field: PeopleField) async throws -> Bool {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(UUID(parsing: field.id))
            binds.append(field.name)
            binds.append(field.options)
            binds.append(field.defaultValue)
            let updated = try await translatingUniqueViolation(into: Problem.conflict("A people field named \(field.name) exists.")) {
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        UPDATE \(database.table("people_fields")) SET name = $2, options = $3, default_value = $4 WHERE id = $1 RETURNING id
                        """, binds: binds), logger: database.logger
                ).collect()
            }
            guard !updated.isEmpty else { return false }
            try await events.publish("people_field.updated", subject: field.id, data: field, on: connection)
            return true
        }
    }

    /// Removes the definition and every user's, department's and group's value of it.
    public func delete(_ id: UUID) async throws -> Bool {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            let deleted = try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("people_fields")) WHERE id = $1 RETURNING id", binds: binds),
                logger: database.logger
            ).collect()
            guard !deleted.isEmpty else { return false }
            var keyBinds = PostgresBindings()
            keyBinds.append(id.uuidString.lowercased())
            for table in ["users", "departments", "groups"] {
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "UPDATE \(database.table(table)) SET custom_fields = custom_fields - $1, version = version + 1 WHERE custom_fields ? $1",
                        binds: keyBinds),
                    logger: database.logger
                ).consume()
            }
            try await events.publish("people_field.deleted", subject: id.uuidString.lowercased(), data: ["id": id.uuidString.lowercased()], on: connection)
            return true
        }
    }
}
