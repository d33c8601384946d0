import Contracts
import Database
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit

/// Send Form on a reply: the form, and the id and code of the copy the reply's link opens.
public struct FormSending: Sendable {
    public var formID: UUID
    public var sentFormID: UUID
    /// The link's code (``LinkSigner``) for `sentFormID`.
    public var code: String
    /// The host the agent reached, for the link when the ticket's brand has no hostname yet.
    public var fallbackHost: String
}

/// Forms (Settings → Forms) as rows, and the copies sent on tickets with their answers.
extension TicketStore {
    public func forms() async throws -> [FormDefinition] {
        try await database.client.withConnection { try await forms("ORDER BY lower(name), id", PostgresBindings(), on: $0) }
    }

    public func form(_ id: UUID) async throws -> FormDefinition? {
        try await database.client.withConnection { try await form(id, on: $0) }
    }

    /// Creates (`expectedVersion` nil and no row) or replaces the form; 412 when its version moved on. Copies
    /// already sent keep the form they were sent as.
    public func saveForm(_ input: FormInput, id: UUID, expectedVersion: Int?) async throws -> FormDefinition {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            let existing = try await forms("WHERE id = $1 FOR UPDATE", binds, on: connection).first
            if let expectedVersion, existing?.version != expectedVersion {
                throw Problem.preconditionFailed("The form changed since you read it (version \(existing?.version ?? 0)).")
            }
            let form = try FormRules.definition(from: input, id: id.lowercased, version: (existing?.version ?? 0) + 1)
            var row = PostgresBindings()
            row.append(id)
            row.append(form.name)
            row.append(try JSONColumn.encode(form))
            row.append(form.version)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("forms")) (id, name, definition, version, created_at) VALUES ($1, $2, $3::jsonb, $4, now())
                    ON CONFLICT (id) DO UPDATE SET name = $2, definition = $3::jsonb, version = $4
                    """, binds: row), logger: database.logger
            ).consume()
            return form
        }
    }

    /// Deletes the form; copies already sent stay on their tickets. False when there was none.
    public func deleteForm(_ id: UUID) async throws -> Bool {
        try await deleteRow(of: "forms", id: id)
    }

    /// The copies sent on a ticket, oldest first.
    public func sentForms(ofTicket id: UUID) async throws -> [SentForm] {
        var binds = PostgresBindings()
        binds.append(id)
        return try await database.client.withConnection { try await sentForms("WHERE ticket_id = $1 ORDER BY sent_at, id", binds, on: $0) }
    }

    public func sentForm(_ id: UUID) async throws -> SentForm? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await database.client.withConnection { try await sentForms("WHERE id = $1", binds, on: $0).first }
    }

    /// The customer fills out a sent copy, once (409 after): the answers are checked against the copy (422), kept,
    /// and its ticket gets a comment with the completion time and is Active again, unless Closed and Locked;
    /// `ticket.form_completed` tells automation. A deleted ticket's copy is gone (404).
    public func completeForm(_ id: UUID, answers: [String: FormAnswer]) async throws -> SentForm {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            guard var sent = try await sentForms("WHERE id = $1 FOR UPDATE", binds, on: connection).first, let ticketID = UUID(parsing: sent.ticketID)
            else { throw Problem.notFound("No such form.") }
            guard sent.completedAt == nil else {
                throw Problem(
                    status: .conflict, type: Problem.typeBase + "form-completed", title: "Form already filled out",
                    detail: "This form was filled out already; a form can be filled out only once.")
            }
            let kept = try FormAnswerRules.checked(answers, for: sent.form)
            let completedAt = Date()
            _ = try await modify(ticketID, expectedVersion: nil, actor: .customer(nil), on: connection) { ticket, connection in
                var update = PostgresBindings()
                update.append(id)
                update.append(try JSONColumn.encode(kept))
                update.append(completedAt)
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "UPDATE \(database.table("sent_forms")) SET answers = $2::jsonb, completed_at = $3 WHERE id = $1", binds: update),
                    logger: database.logger
                ).consume()
                let comment = try await addComment(
                    ticket.id, type: .general, body: FormAnswerRules.completionComment(formName: sent.form.name, at: completedAt), author: nil,
                    on: connection)
                let effect = try await customerReplyEffect(ticket, on: connection)
                var published: [(type: String, details: [String: String])] = [
                    ("ticket.form_completed", ["sentFormID": sent.id, "formID": sent.formID, "formName": sent.form.name, "commentID": comment.id]),
                    ("ticket.comment_added", comment.eventDetails),
                ]
                if effect != .rejectedLocked { published += suspendedByCustomer(&ticket, cause: "form_completed") }
                return published + (try await reactivated(&ticket, effect, cause: "form_completed", on: connection))
            }
            sent.answers = kept
            sent.completedAt = completedAt
            return sent
        }
    }

    /// Send Form in the reply's transaction: the form copied onto the ticket and `#FormLink#` in the reply turned
    /// into the link to the copy (422 when the form is unknown or the reply lost the variable).
    func send(
        _ sending: FormSending, in body: (html: String, text: String), on ticket: Ticket, messageID: UUID, by agent: UUID, scheme: String,
        on connection: PostgresConnection
    ) async throws -> ((html: String, text: String), SentForm) {
        guard let form = try await form(sending.formID, on: connection) else {
            throw Problem.unprocessable("There is no such form.", errors: [.init(field: "formID", message: "is not a form")])
        }
        var lookup = PostgresBindings()
        lookup.append(UUID(parsing: ticket.brandID))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT hostname FROM \(database.table("brands")) WHERE id = $1", binds: lookup), logger: database.logger)
        var host = sending.fallbackHost
        for try await hostname in rows.decode(String?.self) { host = hostname ?? host }
        let url = "\(scheme)://\(host)/api/v1/tickets/sent-forms/\(sending.sentFormID.lowercased)?code=\(sending.code)"
        let linked = try FormRules.withLink(body, linkText: form.linkText, url: url)
        let sent = SentForm(
            id: sending.sentFormID.lowercased, ticketID: ticket.id, formID: form.id, messageID: messageID.lowercased, sentBy: agent.lowercased,
            sentAt: Date(), form: form)
        var row = PostgresBindings()
        row.append(sending.sentFormID)
        row.append(UUID(parsing: ticket.id))
        row.append(sending.formID)
        row.append(messageID)
        row.append(agent)
        row.append(sent.sentAt)
        row.append(try JSONColumn.encode(form))
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("sent_forms")) (id, ticket_id, form_id, message_id, sent_by, sent_at, definition)
                VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
                """, binds: row), logger: database.logger
        ).consume()
        return (linked, sent)
    }

    private func form(_ id: UUID, on connection: PostgresConnection) async throws -> FormDefinition? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await forms("WHERE id = $1", binds, on: connection).first
    }

    private func forms(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [FormDefinition] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT definition::text FROM \(database.table("forms")) \(tail)", binds: binds), logger: database.logger)
        var result: [FormDefinition] = []
        for try await definition in rows.decode(String.self) { result.append(try JSONColumn.decode(FormDefinition.self, from: definition)) }
        return result
    }

    func sentForms(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [SentForm] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, ticket_id, form_id, message_id, sent_by, sent_at, definition::text, answers::text, completed_at
                FROM \(database.table("sent_forms")) \(tail)
                """, binds: binds), logger: database.logger)
        var result: [SentForm] = []
        for try await (id, ticket, form, message, agent, sentAt, definition, answers, completedAt)
            in rows.decode((UUID, UUID, UUID, UUID, UUID, Date, String, String?, Date?).self)
        {
            result.append(SentForm(
                id: id.lowercased, ticketID: ticket.lowercased, formID: form.lowercased, messageID: message.lowercased, sentBy: agent.lowercased,
                sentAt: sentAt, form: try JSONColumn.decode(FormDefinition.self, from: definition),
                answers: try answers.map { try JSONColumn.decode([String: FormAnswer].self, from: $0) }, completedAt: completedAt))
        }
        return result
    }
}
