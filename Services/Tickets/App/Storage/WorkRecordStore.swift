import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Drafts and time logs of tickets, and the time log categories.
extension TicketStore {
    /// Saves the ticket's draft, replacing any earlier one (one draft per ticket), and answers it at its new version.
    /// With `expectedVersion` (`If-Match`) only the draft at that version is replaced: another agent's save since, or no
    /// draft at all, is a 412. The attachments it names must be ones its reply could carry (the ticket's own, not
    /// internal), as sending will check: a 422 now, not then.
    public func saveDraft(_ draft: TicketDraft, expectedVersion: Int?) async throws -> TicketDraft {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: draft.ticketID))
        binds.append(UUID(parsing: draft.agentID))
        binds.append(draft.bodyHTML)
        binds.append(draft.to)
        binds.append(draft.cc)
        binds.append(draft.bcc)
        binds.append(draft.updatedAt)
        binds.append(draft.subject)
        let attachments = draft.attachmentIDs.compactMap(UUID.init(parsing:))
        binds.append(attachments)
        binds.append(expectedVersion)
        let version = try await database.client.withConnection { connection -> Int? in
            if !attachments.isEmpty, let ticket = UUID(parsing: draft.ticketID) {
                _ = try await outgoingAttachments(attachments, of: ticket, allowingInternal: false, field: "attachmentIDs", on: connection)
            }
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("drafts"))
                        (ticket_id, agent_id, body_html, to_addresses, cc_addresses, bcc_addresses, updated_at, subject, attachment_ids)
                    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE $10::integer IS NULL
                    ON CONFLICT (ticket_id) DO UPDATE SET agent_id = $2, body_html = $3, to_addresses = $4, cc_addresses = $5, bcc_addresses = $6,
                        updated_at = $7, subject = $8, attachment_ids = $9, version = drafts.version + 1
                    RETURNING version
                    """, binds: binds), logger: database.logger)
            for try await version in rows.decode(Int.self) { return version }
            return nil
        }
        if let version {
            var saved = draft
            saved.version = version
            return saved
        }
        guard let expectedVersion else { throw Problem.internalError(requestID: nil) }
        return try await saveDraftReplacing(draft, at: expectedVersion, binds: binds)
    }

    /// The `If-Match` save: replaces the draft only at `expectedVersion`; 412 when it moved on or is gone.
    private func saveDraftReplacing(_ draft: TicketDraft, at expectedVersion: Int, binds: PostgresBindings) async throws -> TicketDraft {
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                UPDATE \(database.table("drafts")) SET agent_id = $2, body_html = $3, to_addresses = $4, cc_addresses = $5, bcc_addresses = $6,
                    updated_at = $7, subject = $8, attachment_ids = $9, version = version + 1
                WHERE ticket_id = $1 AND version = $10 RETURNING version
                """, binds: binds), logger: database.logger)
        for try await version in rows.decode(Int.self) {
            var saved = draft
            saved.version = version
            return saved
        }
        throw Problem.preconditionFailed("The draft changed since version \(expectedVersion), or was sent or discarded. Reload it.")
    }

    public func draft(of ticketID: UUID) async throws -> TicketDraft? {
        var binds = PostgresBindings()
        binds.append(ticketID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT agent_id, body_html, to_addresses, cc_addresses, bcc_addresses, updated_at, subject, attachment_ids, version
                FROM \(database.table("drafts")) WHERE ticket_id = $1
                """, binds: binds),
            logger: database.logger)
        for try await (agent, body, to, cc, bcc, updated, subject, attachments, version)
            in rows.decode((UUID, String, [String], [String], [String], Date, String?, [UUID], Int).self)
        {
            return TicketDraft(
                ticketID: ticketID.lowercased, agentID: agent.lowercased, bodyHTML: body, to: to, cc: cc, bcc: bcc, updatedAt: updated, subject: subject,
                attachmentIDs: attachments.map(\.lowercased), version: version)
        }
        return nil
    }

    /// Discards the ticket's draft; with `expectedVersion` (`If-Match`) only at that version (412 when another save
    /// came since). Answers whether there was one.
    public func deleteDraft(of ticketID: UUID, expectedVersion: Int?) async throws -> Bool {
        guard let expectedVersion else { return try await database.client.withConnection { try await deleteDraft(of: ticketID, on: $0) } }
        var binds = PostgresBindings()
        binds.append(ticketID)
        binds.append(expectedVersion)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                WITH gone AS (DELETE FROM \(database.table("drafts")) WHERE ticket_id = $1 AND version = $2 RETURNING ticket_id)
                SELECT EXISTS (SELECT 1 FROM gone), EXISTS (SELECT 1 FROM \(database.table("drafts")) WHERE ticket_id = $1)
                """, binds: binds), logger: database.logger)
        for try await (deleted, remains) in rows.decode((Bool, Bool).self) {
            if !deleted && remains { throw Problem.preconditionFailed("The draft changed since version \(expectedVersion). Reload it.") }
            return deleted
        }
        return false
    }

    /// Discards the ticket's draft, as sending the reply it was for does; answers whether there was one.
    @discardableResult
    func deleteDraft(of ticketID: UUID, on connection: PostgresConnection) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(ticketID)
        return !(try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("drafts")) WHERE ticket_id = $1 RETURNING ticket_id", binds: binds),
            logger: database.logger
        ).collect()).isEmpty
    }

    /// "Mark Time Logs as billable by default" of the department of ticket `ticketID` ("any time logs created for the
    /// department, whether automated or manual" [S001:6014]): for the ticket's own time logs and those of a task made
    /// from it. False without a ticket.
    func billableByDefault(ticket ticketID: String?, on connection: PostgresConnection) async throws -> Bool {
        guard let id = ticketID.flatMap(UUID.init(parsing:)) else { return false }
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT d.time_logs_billable FROM \(database.table("tickets")) k JOIN \(database.table("departments")) d ON d.id = k.department_id
                WHERE k.id = $1
                """, binds: binds),
            logger: database.logger)
        for try await value in rows.decode(Bool.self) { return value }
        return false
    }

    /// Logs time on a ticket (billable defaults to the department's setting) and publishes `ticket.timelog_created`;
    /// answers the ticket as it now is (its version moved) and the log.
    public func logTime(
        _ id: UUID, minutes: Int, categoryID: UUID?, description: String, subject: String = "", billable: Bool?, by agent: String,
        expectedVersion: Int? = nil
    ) async throws -> (ticket: Ticket, log: TimeLog) {
        try await database.transaction { connection in
            try await logTime(
                id, minutes: minutes, categoryID: categoryID, description: description, subject: subject, billable: billable, by: agent,
                expectedVersion: expectedVersion, on: connection)
        }
    }

    /// ``logTime(_:minutes:categoryID:description:subject:billable:by:)`` in the caller's transaction. An `automatic`
    /// log (the time a ticket's window was open) is no action on the ticket: a Waiting ticket's auto-close wait goes on.
    func logTime(
        _ id: UUID, minutes: Int, categoryID: UUID?, description: String, subject: String = "", billable: Bool?, by agent: String,
        automatic: Bool = false, expectedVersion: Int? = nil, on connection: PostgresConnection
    ) async throws -> (ticket: Ticket, log: TimeLog) {
        var created: TimeLog?
        let ticket = try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent), on: connection, restartsWaiting: !automatic) { ticket, connection in
            let departmentDefault = try await billableByDefault(ticket: ticket.id, on: connection)
            let log = TimeLog(
                id: UUIDv7.generate().lowercased, ticketID: ticket.id, agentID: agent, categoryID: categoryID?.lowercased, minutes: minutes,
                description: description, billable: billable ?? departmentDefault, createdAt: Date(), subject: subject)
            try await insert(log, on: connection)
            created = log
            // What caused it (the report's Event): an agent's entry, or the time the owner's window was open.
            return [("ticket.timelog_created", log.eventDetails.merging(["automatic": String(automatic)]) { $1 })]
        }
        guard let created else { throw Problem.internalError(requestID: nil) }
        return (ticket, created)
    }

    public func timeLogs(of ticketID: UUID) async throws -> [TimeLog] {
        var binds = PostgresBindings()
        binds.append(ticketID)
        return try await database.client.withConnection { try await timeLogs("WHERE ticket_id = $1 ORDER BY id", binds, on: $0) }
    }

    func timeLogs(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [TimeLog] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, ticket_id, task_id, agent_id, category_id, minutes, description, billable, created_at, subject
                FROM \(database.table("time_logs")) \(tail)
                """, binds: binds), logger: database.logger)
        var result: [TimeLog] = []
        for try await (id, ticket, task, agent, category, minutes, description, billable, created, subject)
            in rows.decode((UUID, UUID?, UUID?, UUID, UUID?, Int, String, Bool, Date, String).self)
        {
            result.append(TimeLog(
                id: id.lowercased, ticketID: ticket?.lowercased, taskID: task?.lowercased, agentID: agent.lowercased, categoryID: category?.lowercased,
                minutes: minutes, description: description, billable: billable, createdAt: created, subject: subject))
        }
        return result
    }

    /// Edits one of the ticket's time logs when `allowed` lets the caller (``TimeLogRules/mayChange(_:of:caller:)``,
    /// 403 otherwise) and publishes `ticket.timelog_modified` naming the fields that changed; answers the ticket as it
    /// now is and the log.
    public func editTimeLog(
        _ id: UUID, log logID: UUID, _ edit: TimeLogEdit, category: FieldChange<UUID>, by agent: String, expectedVersion: Int? = nil,
        allowed: @escaping @Sendable (TimeLog, Ticket) -> Bool
    ) async throws -> (ticket: Ticket, log: TimeLog) {
        var edited: TimeLog?
        let ticket = try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, connection in
            let log = try await lockedTimeLog(logID, of: id, on: connection)
            guard allowed(log, ticket) else { throw Problem.forbidden("Only its agent and the department's managers change a time log.") }
            let next = try TimeLogRules.applying(edit, to: log, categoryID: category.map(\.lowercased).applied(to: log.categoryID))
            if next.categoryID != log.categoryID { try await requireCurrentCategory(next.categoryID, on: connection) }
            edited = next
            let fields = TimeLogRules.changedFields(from: log, to: next)
            guard !fields.isEmpty else { return [] }
            var binds = PostgresBindings()
            binds.append(logID)
            binds.append(next.categoryID.flatMap(UUID.init(parsing:)))
            binds.append(next.minutes)
            binds.append(next.description)
            binds.append(next.billable)
            binds.append(next.subject)
            try await translatingForeignKeyViolation {
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        UPDATE \(database.table("time_logs")) SET category_id = $2, minutes = $3, description = $4, billable = $5, subject = $6 WHERE id = $1
                        """, binds: binds), logger: database.logger
                ).consume()
            }
            return [("ticket.timelog_modified", next.eventDetails.merging(["fields": fields.joined(separator: ","), "previousMinutes": String(log.minutes)]) { $1 })]
        }
        guard let edited else { throw Problem.internalError(requestID: nil) }
        return (ticket, edited)
    }

    /// Deletes one of the ticket's time logs when `allowed` lets the caller (403 otherwise); `ticket.timelog_deleted`.
    /// Answers the ticket as it now is.
    public func deleteTimeLog(
        _ id: UUID, log logID: UUID, by agent: String, expectedVersion: Int? = nil, allowed: @escaping @Sendable (TimeLog, Ticket) -> Bool
    ) async throws -> Ticket {
        try await modify(id, expectedVersion: expectedVersion, actor: .agent(agent)) { ticket, connection in
            let log = try await lockedTimeLog(logID, of: id, on: connection)
            guard allowed(log, ticket) else { throw Problem.forbidden("Only its agent and the department's managers delete a time log.") }
            var binds = PostgresBindings()
            binds.append(logID)
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("time_logs")) WHERE id = $1", binds: binds), logger: database.logger)
                .consume()
            return [("ticket.timelog_deleted", log.eventDetails)]
        }
    }

    private func lockedTimeLog(_ logID: UUID, of ticketID: UUID, on connection: PostgresConnection) async throws -> TimeLog {
        var binds = PostgresBindings()
        binds.append(logID)
        binds.append(ticketID)
        guard let log = try await timeLogs("WHERE id = $1 AND ticket_id = $2 FOR UPDATE", binds, on: connection).first else {
            throw Problem.notFound("The ticket has no such time log.")
        }
        return log
    }

    /// Adds a category, with `time_log_category.created`.
    public func createCategory(_ category: TimeLogCategory) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: category.id))
        binds.append(category.name)
        _ = try await translatingUniqueViolation(into: Problem.conflict("A category named \(category.name) exists.")) {
            try await changeDefinition(
                "INSERT INTO \(database.table("time_log_categories")) (id, name) VALUES ($1, $2) RETURNING id", binds,
                announcing: "time_log_category.created", id: category.id, definition: category)
        }
    }

    /// Renames a category, with `time_log_category.renamed`: 404 when there is none (or it is retired), 409 when another
    /// has the name.
    public func renameCategory(_ category: TimeLogCategory) async throws {
        var binds = PostgresBindings()
        binds.append(UUID(parsing: category.id))
        binds.append(category.name)
        let found = try await translatingUniqueViolation(into: Problem.conflict("A category named \(category.name) exists.")) {
            try await changeDefinition(
                "UPDATE \(database.table("time_log_categories")) SET name = $2 WHERE id = $1 AND retired_at IS NULL RETURNING id", binds,
                announcing: "time_log_category.renamed", id: category.id, definition: category)
        }
        guard found else { throw Problem.notFound("No such time log category.") }
    }

    /// Deletes a category no time log uses (`time_log_category.deleted`); one in use is retired instead
    /// (``TimeLogCategory``; `time_log_category.retired`, its logs keep naming it). 404 when there is none, or it is
    /// retired and still in use.
    public func deleteCategory(_ id: UUID) async throws {
        var binds = PostgresBindings()
        binds.append(id)
        let categories = database.table("time_log_categories")
        let gone = try await database.transaction { connection in
            // Locked first, on its own: a time log being written with the category holds it until its commit, and the
            // next statement's snapshot then sees that log.
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(categories) WHERE id = $1 FOR UPDATE", binds: binds), logger: database.logger)
                .consume()
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    WITH category AS (SELECT id, retired_at, EXISTS (SELECT 1 FROM \(database.table("time_logs")) WHERE category_id = $1) AS used
                                      FROM \(categories) WHERE id = $1),
                         deleted AS (DELETE FROM \(categories) WHERE id IN (SELECT id FROM category WHERE NOT used) RETURNING id),
                         retired AS (UPDATE \(categories) SET retired_at = now()
                                     WHERE id IN (SELECT id FROM category WHERE used AND retired_at IS NULL) RETURNING id, name)
                    SELECT id, NULL::text, true FROM deleted UNION ALL SELECT id, name, false FROM retired
                    """, binds: binds), logger: database.logger
            ).collect()
            for row in rows {
                let (id, name, deleted) = try row.decode((UUID, String?, Bool).self)
                if deleted {
                    try await events.publish("time_log_category.deleted", id: id.lowercased, definition: DeletedDefinition(id: id.lowercased), on: connection)
                } else {
                    let retired = TimeLogCategory(id: id.lowercased, name: name ?? "", retired: true)
                    try await events.publish("time_log_category.retired", id: retired.id, definition: retired, on: connection)
                }
                return true
            }
            return false
        }
        guard gone else { throw Problem.notFound("No such time log category.") }
    }

    /// The categories new time logs may take, by name; with `includingRetired`, the retired ones too (reports).
    public func categories(includingRetired: Bool = false) async throws -> [TimeLogCategory] {
        let retired = includingRetired ? "" : " WHERE retired_at IS NULL"
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, name, retired_at IS NOT NULL FROM \(database.table("time_log_categories"))\(retired) ORDER BY lower(name), id
                """), logger: database.logger)
        var result: [TimeLogCategory] = []
        for try await (id, name, retired) in rows.decode((UUID, String, Bool).self) {
            result.append(TimeLogCategory(id: id.lowercased, name: name, retired: retired))
        }
        return result
    }

    /// A category a new time log, or a time log moved to it, may take: an unknown or retired one is a 422. The row
    /// stays share-locked until the log is written, so the category cannot be retired or deleted in between.
    func requireCurrentCategory(_ id: String?, on connection: PostgresConnection) async throws {
        guard let id = id.flatMap(UUID.init(parsing:)) else { return }
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT 1 FROM \(database.table("time_log_categories")) WHERE id = $1 AND retired_at IS NULL FOR KEY SHARE", binds: binds),
            logger: database.logger)
        for try await _ in rows { return }
        throw Problem.unprocessable("There is no such time log category.", errors: [.init(field: "categoryID", message: "unknown category")])
    }

    /// Stores a time log of a ticket or a task; an unknown or retired category is a 422.
    func insert(_ log: TimeLog, on connection: PostgresConnection) async throws {
        try await requireCurrentCategory(log.categoryID, on: connection)
        var insert = PostgresBindings()
        insert.append(UUID(parsing: log.id))
        insert.append(log.ticketID.flatMap(UUID.init(parsing:)))
        insert.append(log.taskID.flatMap(UUID.init(parsing:)))
        insert.append(UUID(parsing: log.agentID))
        insert.append(log.categoryID.flatMap(UUID.init(parsing:)))
        insert.append(log.minutes)
        insert.append(log.description)
        insert.append(log.billable)
        insert.append(log.createdAt)
        insert.append(log.subject)
        try await translatingForeignKeyViolation {
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("time_logs")) (id, ticket_id, task_id, agent_id, category_id, minutes, description, billable, created_at, subject)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                    """, binds: insert), logger: database.logger
            ).consume()
        }
    }

    private func translatingForeignKeyViolation(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23503" {
            throw Problem.unprocessable("There is no such time log category.", errors: [.init(field: "categoryID", message: "unknown category")])
        }
    }
}
