import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Data custom field definitions, templates and each ticket's values.
extension TicketStore {
    public func fieldDefinitions() async throws -> [CustomFieldDefinition] {
        try await database.client.withConnection { try await fieldDefinitions(on: $0) }
    }

    func fieldDefinitions(on connection: PostgresConnection) async throws -> [CustomFieldDefinition] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT id, name, data_type, options, default_value FROM \(database.table("custom_fields")) ORDER BY lower(name)"),
            logger: database.logger)
        var result: [CustomFieldDefinition] = []
        for try await (id, name, type, options, defaultValue) in rows.decode((UUID, String, String, [String], String?).self) {
            result.append(CustomFieldDefinition(
                id: id.lowercased, name: name, dataType: CustomFieldType(rawValue: type) ?? .text, options: options, defaultValue: defaultValue))
        }
        return result
    }

    /// Defines a field, with `custom_field.created`.
    public func createField(_ field: CustomFieldDefinition) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: field.id))
        binds.append(field.name)
        binds.append(field.dataType.rawValue)
        binds.append(field.options)
        binds.append(field.defaultValue)
        _ = try await translatingUniqueViolation(into: Problem.conflict("A custom field named \(field.name) exists.")) {
            try await changeDefinition(
                "INSERT INTO \(database.table("custom_fields")) (id, name, data_type, options, default_value) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                binds, announcing: "custom_field.created", id: field.id, definition: field)
        }
    }

    /// Changes a field's name, options and Default Value (its data type stays), with `custom_field.updated`; false when
    /// there is no such field.
    public func updateField(_ field: CustomFieldDefinition) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: field.id))
        binds.append(field.name)
        binds.append(field.options)
        binds.append(field.defaultValue)
        return try await translatingUniqueViolation(into: Problem.conflict("A custom field named \(field.name) exists.")) {
            try await changeDefinition(
                "UPDATE \(database.table("custom_fields")) SET name = $2, options = $3, default_value = $4 WHERE id = $1 RETURNING id",
                binds, announcing: "custom_field.updated", id: field.id, definition: field)
        }
    }

    /// Deletes a field, its place in every template and the tickets' values of it, with `custom_field.deleted`; false
    /// when there is no such field.
    public func deleteField(_ id: UUID) async throws -> Bool {
        try await database.transaction { connection in
            var fieldID = PostgresBindings()
            fieldID.append(id.lowercased)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE \(database.table("templates")) SET fields = (
                        SELECT coalesce(jsonb_agg(f ORDER BY n), '[]'::jsonb) FROM jsonb_array_elements(fields) WITH ORDINALITY AS e(f, n) WHERE f->>'fieldID' <> $1)
                    WHERE fields @> jsonb_build_array(jsonb_build_object('fieldID', $1::text))
                    """, binds: fieldID), logger: database.logger
            ).consume()
            var values = PostgresBindings()
            values.append(id)
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("ticket_field_values")) WHERE field_id = $1", binds: values), logger: database.logger
            ).consume()
            var field = PostgresBindings()
            field.append(id)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("custom_fields")) WHERE id = $1 RETURNING id", binds: field), logger: database.logger)
            guard try await rows.collect().isEmpty == false else { return false }
            // Every ticket's value of it went too: whoever keeps them drops the field's.
            try await events.publish("custom_field.deleted", id: id.lowercased, definition: DeletedDefinition(id: id.lowercased), on: connection)
            return true
        }
    }

    public func createTemplate(_ template: TicketTemplate) async throws {
        _ = try await database.changedRows("INSERT INTO \(database.table("templates")) (id, name, fields) VALUES ($1, $2, $3::jsonb) RETURNING id", try bindings(template))
    }

    /// Replaces a template's name and fields, answering it as stored; nil when there is no such template.
    public func updateTemplate(_ template: TicketTemplate) async throws -> TicketTemplate? {
        try await templates(
            "UPDATE \(database.table("templates")) SET name = $2, fields = $3::jsonb WHERE id = $1 RETURNING \(Self.templateColumns)",
            try bindings(template)
        ).first
    }

    /// Deletes a template; departments that used it have the Default Ticket Template from then on. False when there
    /// is no such template; a default template (the one kept by the delete's condition) is a 409.
    public func deleteTemplate(_ id: UUID) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(id)
        let table = database.table("templates")
        guard try await database.changedRows("DELETE FROM \(table) WHERE id = $1 AND default_for IS NULL RETURNING id", binds) == 0 else { return true }
        guard try await templates("SELECT \(Self.templateColumns) FROM \(table) WHERE id = $1", binds).isEmpty else {
            throw Problem.conflict("A default template cannot be deleted; remove its fields instead.")
        }
        return false
    }

    public func templates() async throws -> [TicketTemplate] {
        try await templates("SELECT \(Self.templateColumns) FROM \(database.table("templates")) ORDER BY lower(name), id", PostgresBindings())
    }

    static let templateColumns = "id, name, fields::text, default_for"

    private func templates(_ sql: String, _ binds: PostgresBindings) async throws -> [TicketTemplate] {
        try await database.client.withConnection { try await templates(sql, binds, on: $0) }
    }

    private func templates(_ sql: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [TicketTemplate] {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: database.logger)
        var result: [TicketTemplate] = []
        for try await (id, name, fields, defaultFor) in rows.decode((UUID, String, String, String?).self) {
            result.append(TicketTemplate(
                id: id.lowercased, name: name, fields: try JSONColumn.decode([TicketTemplate.Field].self, from: fields),
                defaultFor: defaultFor.flatMap(TicketTemplate.DefaultUse.init(rawValue:))))
        }
        return result
    }

    private func bindings(_ template: TicketTemplate) throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: template.id))
        binds.append(template.name)
        binds.append(try JSONColumn.encode(template.fields))
        return binds
    }


    /// A department with its ticket form for `audience`; nil when tickets does not know the department.
    public func form(ofDepartment id: UUID, for audience: TicketForm.Audience) async throws -> (department: KnownDepartment, form: TicketForm)? {
        try await database.client.withConnection { connection in
            guard let department = try await department(id, on: connection) else { return nil }
            let template = try await template(ofDepartment: id, on: connection)
            let definitions = template == nil ? [:] : Dictionary(try await fieldDefinitions(on: connection).map { ($0.id, $0) }) { first, _ in first }
            var form = TicketForm.of(department: id.lowercased, template: template, definitions: definitions, for: audience)
            form.portal = department.portal
            return (department, form)
        }
    }

    /// The template of a department: its own, else the Default Ticket Template; nil for a department tickets does not know.
    func template(ofDepartment id: UUID, on connection: PostgresConnection) async throws -> TicketTemplate? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await templates(
            """
            SELECT \(Self.templateColumns) FROM \(database.table("templates"))
            WHERE id = (SELECT \(effectiveTemplate(of: "d.template_id")) FROM \(database.table("departments")) d WHERE d.id = $1)
            """, binds, on: connection
        ).first
    }

    /// The id of the template a department whose `template_id` is `column` uses, as SQL: its own while it exists (a
    /// deleted template's id stays on the department, copied from identity's settings), else the Default Ticket
    /// Template; with `onlyWithFields`, the default only while it has fields.
    func effectiveTemplate(of column: String, onlyWithFields: Bool = false) -> String {
        let templates = database.table("templates")
        return """
            coalesce((SELECT own.id FROM \(templates) own WHERE own.id = \(column)),
                     (SELECT id FROM \(templates) WHERE default_for = 'tickets'\(onlyWithFields ? " AND fields <> '[]'::jsonb" : "")))
            """
    }

    public func fieldValues(of ticketID: UUID) async throws -> [String: String] {
        try await database.client.withConnection { try await fieldValues(of: ticketID, on: $0) }
    }

    /// The values of `fields` on each of `tickets` that has any (a list's Visible Fields), by ticket id and field id.
    public func fieldValues(of tickets: [String], fields: [UUID]) async throws -> [String: [String: String]] {
        guard !tickets.isEmpty, !fields.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(tickets.compactMap(UUID.init(parsing:)))
        binds.append(fields)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT ticket_id, field_id, value FROM \(database.table("ticket_field_values")) WHERE ticket_id = ANY($1) AND field_id = ANY($2)
                """, binds: binds), logger: database.logger)
        var values: [String: [String: String]] = [:]
        for try await (ticket, field, value) in rows.decode((UUID, UUID, String).self) { values[ticket.lowercased, default: [:]][field.lowercased] = value }
        return values
    }

    /// The values the ticket's customer is shown (``TicketTemplate/shownToUsers(_:)``; none without a template).
    public func customerFieldValues(of ticketID: UUID, department: UUID) async throws -> [String: String] {
        try await database.client.withConnection { connection in
            guard let template = try await template(ofDepartment: department, on: connection) else { return [:] }
            return template.shownToUsers(try await fieldValues(of: ticketID, on: connection))
        }
    }

    func fieldValues(of ticketID: UUID, on connection: PostgresConnection) async throws -> [String: String] {
        var binds = PostgresBindings()
        binds.append(ticketID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT field_id, value FROM \(database.table("ticket_field_values")) WHERE ticket_id = $1", binds: binds),
            logger: database.logger)
        var values: [String: String] = [:]
        for try await (field, value) in rows.decode((UUID, String).self) { values[field.lowercased] = value }
        return values
    }

    /// Sets values (an empty value removes the field's value).
    func storeFieldValues(_ values: [String: String], of ticketID: UUID, on connection: PostgresConnection) async throws {
        for (field, value) in values.sorted(by: { $0.key < $1.key }) {
            var binds = PostgresBindings()
            binds.append(ticketID)
            binds.append(UUID(parsing: field))
            binds.append(value)
            try await connection.query(
                PostgresQuery(unsafeSQL: value.isEmpty
                    ? "DELETE FROM \(database.table("ticket_field_values")) WHERE ticket_id = $1 AND field_id = $2 AND $3 = ''"
                    : """
                    INSERT INTO \(database.table("ticket_field_values")) (ticket_id, field_id, value) VALUES ($1, $2, $3)
                    ON CONFLICT (ticket_id, field_id) DO UPDATE SET value = $3
                    """, binds: binds), logger: database.logger
            ).consume()
        }
    }

    /// Checks and normalizes values against the department's template: only its fields (a customer those visible to
    /// users, an agent those visible to agents), each valid for its type; a new ticket (`defaults`) takes the fields'
    /// Default Values for what it leaves out; then the fields required at `moment` must be filled.
    func checkedFieldValues(
        _ values: [String: String], existing: [String: String], department: UUID, byCustomer: Bool, moment: TicketTemplate.Moment?,
        defaults: Bool = false, on connection: PostgresConnection
    ) async throws -> [String: String] {
        let template = try await template(ofDepartment: department, on: connection)
        if (template?.fields.isEmpty ?? true) && values.isEmpty { return [:] }
        let definitions = Dictionary(try await fieldDefinitions(on: connection).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var errors: [Problem.FieldError] = []
        var normalized: [String: String] = [:]
        for (rawID, value) in values {
            let id = rawID.lowercased()
            guard let template, template.fields.contains(where: { $0.fieldID == id }), let definition = definitions[id] else {
                errors.append(.init(field: "customFields.\(rawID)", message: "not a field of this department's template"))
                continue
            }
            guard byCustomer ? template.userEditable(id) : template.agentEditable(id) else {
                errors.append(.init(field: "customFields.\(rawID)", message: byCustomer ? "filled by agents only" : "filled by customers only"))
                continue
            }
            if value.isEmpty {
                normalized[id] = ""
                continue
            }
            do { normalized[id] = try CustomFieldRules.normalize(value, for: definition) } catch let problem as Problem { errors += problem.errors }
        }
        try Problem.throwIfInvalid(errors)
        if defaults, let template {
            for (id, value) in template.defaults(besides: normalized, definitions: definitions) {
                normalized[id] = definitions[id].flatMap { try? CustomFieldRules.normalize(value, for: $0) } ?? value
            }
        }
        if let template, let moment {
            try Problem.throwIfInvalid(template.missing(at: moment, values: existing.merging(normalized) { $1 }, definitions: definitions))
        }
        return normalized
    }
}
