import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// A department as tickets keeps it from `identity.events`.
public struct KnownDepartment: Sendable, Equatable {
    public var id: UUID
    public var brandID: UUID
    public var name: String
    public var frontLineGroupID: UUID
    public var hiddenFromPortal: Bool
    public var newTicketsInPortal: String
    public var requireResolutionToClose: Bool
    /// "Require all tasks to be completed to close tickets."
    public var requireTasksCompletedToClose: Bool
    /// The department's custom field template: its own, else the Default Ticket Template once that has fields (nil
    /// while it has none, so that new tickets need no check against it).
    public var templateID: UUID?
    /// What the portal's submission form of the department shows and asks.
    public var portal = PortalSubmission()
    /// The language of the department's tickets.
    public var language = "en"
}

/// Reads of tickets and of the directory copies they are checked against.
public struct TicketStore: Sendable {
    let database: Database
    let events: TicketEvents
    let distributor: Distributor
    let counts: CountStore
    let ticketNumbers: TicketNumberBlock
    /// The directory reads kept between requests while a ``ChangeListener`` runs for them.
    public let directoryCache = DirectoryCache()
    /// The list pages kept between requests while a ``ChangeListener`` runs for them (``ViewPageCache``).
    public let viewPages: ViewPageCache
    /// How batches of new tickets were written: from an unlocked reading, or again under the agents' locks after
    /// its check failed (``createPlain(_:)``); nil without metrics.
    let creationPaths: (unlocked: MetricCounter, locked: MetricCounter)?

    /// `viewPages`: how many list pages this process keeps (``ViewPageCache``).
    public init(database: Database, metrics: HTTPMetrics? = nil, viewPages: Int = ViewPageCache.defaultCapacity) {
        self.database = database
        self.viewPages = ViewPageCache(capacity: viewPages)
        self.creationPaths = metrics.map { metrics in
            let name = "tickets_creation_batches", help = "Batches of new tickets written, by the way their agents were read"
            return (metrics.counter(name, help: help, labels: [("path", "unlocked")]), metrics.counter(name, help: help, labels: [("path", "locked")]))
        }
        self.events = TicketEvents(database: database)
        self.distributor = Distributor(database: database)
        self.counts = CountStore(database: database)
        self.ticketNumbers = TicketNumberBlock(database: database)
    }

    static let columns = """
        tickets.id, number, brand_id, department_id, group_id, agent_id, customer_user_id, customer_email, subject, status, priority, pinned,
        messages_in, messages_out, created_at, idle_since, closed_at, version,
        follow_up_at, follow_up_note, follow_up_group_id, follow_up_agent_id, follow_up_priority, follow_up_pin, follow_up_due, tickets.language,
        idle_alert, duration_alert
        """

    /// Deletes up to a thousand rows of `table` whose `column` is before `cutoff` (a purge called until it answers 0,
    /// so no statement holds many locks); the number deleted.
    func deleteBatch(from table: String, where column: String, before cutoff: Date) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(cutoff)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                DELETE FROM \(database.table(table)) WHERE id IN (SELECT id FROM \(database.table(table)) WHERE \(column) < $1 LIMIT 1000) RETURNING 1
                """, binds: binds), logger: database.logger)
        return try await rows.collect().count
    }

    /// Deletes the row of `table` with this id; false when there was none.
    func deleteRow(of table: String, id: UUID) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(id)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table(table)) WHERE id = $1 RETURNING id", binds: binds), logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    public func find(_ id: UUID) async throws -> Ticket? {
        try await database.client.withConnection { try await find(id, on: $0, lock: false) }
    }

    func find(_ id: UUID, on connection: PostgresConnection, lock: Bool, includingDeleted: Bool = false) async throws -> Ticket? {
        guard lock else { return try await tickets(ids: [id], includingDeleted: includingDeleted, on: connection).first }
        var binds = PostgresBindings()
        binds.append(id)
        let deleted = includingDeleted ? "" : " AND deleted_at IS NULL"
        return try await tickets("WHERE id = $1\(deleted) FOR UPDATE", binds, on: connection).first
    }

    func tickets(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [Ticket] {
        try await decodeTickets(
            try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM \(database.table("tickets")) \(tail)", binds: binds), logger: database.logger))
    }

    /// The tickets of `ids` that exist (deleted ones too with `includingDeleted`), in no particular order.
    func tickets(ids: [UUID], includingDeleted: Bool = false, on connection: PostgresConnection) async throws -> [Ticket] {
        guard !ids.isEmpty else { return [] }
        let rows = try await TicketsByIDStatement(ids: ids, includingDeleted: includingDeleted)
            .run(on: connection, schema: database.schema, logger: database.logger)
        return try rows.map { row in
            var ticket = try decodeTicket(row)
            if includingDeleted { try Self.decodeDeletion(of: &ticket, from: row) }
            return ticket
        }
    }

    /// When and by whom the ticket was deleted, from a row that reads `deleted_at` and `deleted_by` after its columns.
    static func decodeDeletion(of ticket: inout Ticket, from row: PostgresRow) throws {
        let cells = row.makeRandomAccess()
        ticket.deletedAt = try cells["deleted_at"].decode(Date?.self)
        ticket.deletedBy = try cells["deleted_by"].decode(UUID?.self)?.lowercased
    }

    /// Tickets from rows of ``columns``.
    func decodeTickets(_ rows: PostgresRowSequence) async throws -> [Ticket] {
        var result: [Ticket] = []
        for try await row in rows { result.append(try decodeTicket(row)) }
        return result
    }

    /// The ticket of one row that starts with ``columns`` (it may have more after them), its cells read in one pass
    /// by ``RowCells``: a list page decodes 50 of these.
    func decodeTicket(_ row: PostgresRow) throws -> Ticket {
        var cells = RowCells(row)
        let id = try cells.uuid(), number = try cells.string(), brandID = try cells.uuid(), departmentID = try cells.uuid()
        let groupID = try cells.uuid(), agentID = try cells.optionalUUID(), customerUserID = try cells.optionalUUID()
        let customerEmail = try cells.string(), subject = try cells.string(), status = try cells.string()
        let priority = try cells.int(), pinned = try cells.bool(), messagesIn = try cells.int(), messagesOut = try cells.int()
        let createdAt = try cells.date(), idleSince = try cells.date(), closedAt = try cells.optionalDate(), version = try cells.int()
        let followUpAt = try cells.optionalDate(), followUpNote = try cells.optionalString()
        let followUpGroupID = try cells.optionalUUID(), followUpAgentID = try cells.optionalUUID()
        let followUpPriority = try cells.optionalInt(), followUpPin = try cells.bool(), followUpDue = try cells.bool()
        let language = try cells.string(), idleAlert = try cells.int(), durationAlert = try cells.int()
        let shownStatus = TicketStatus(rawValue: status) ?? .active
        let followUp = followUpAt.map { at in
            FollowUp(
                at: at, note: followUpNote, groupID: followUpGroupID?.lowercased, agentID: followUpAgentID?.lowercased,
                priority: followUpPriority.map(TicketPriority.init(rank:)), pin: followUpPin, due: followUpDue)
        }
        return Ticket(
            id: id.lowercased, number: number, brandID: brandID.lowercased, departmentID: departmentID.lowercased,
            groupID: groupID.lowercased, agentID: agentID?.lowercased, customerUserID: customerUserID?.lowercased,
            customerEmail: customerEmail, subject: subject, status: shownStatus,
            priority: TicketPriority(rank: priority), pinned: pinned, messagesIn: messagesIn, messagesOut: messagesOut,
            createdAt: createdAt, idleSince: idleSince, closedAt: closedAt, followUp: followUp, version: version, language: language,
            idleAlert: TimingAlert.idle.shown(level: idleAlert, status: shownStatus),
            durationAlert: TimingAlert.duration.shown(level: durationAlert, status: shownStatus))
    }

    /// How many columns ``columns`` names.
    static let columnCount = 28

    public func department(_ id: UUID) async throws -> KnownDepartment? {
        try await database.client.withConnection { try await department(id, on: $0) }
    }

    func department(_ id: UUID, on connection: PostgresConnection) async throws -> KnownDepartment? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await departments("WHERE id = $1", binds, on: connection).first
    }

    /// The departments a portal of `brandID` offers for new tickets.
    public func portalDepartments(brandID: UUID?) async throws -> [KnownDepartment] {
        var binds = PostgresBindings()
        binds.append(brandID)
        return try await database.client.withConnection { connection in
            try await departments(
                "WHERE ($1::uuid IS NULL OR brand_id = $1) AND NOT hidden_from_portal AND new_tickets_in_portal <> 'Nobody' ORDER BY lower(name), id",
                binds, on: connection)
        }
    }

    func departments(_ tail: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> [KnownDepartment] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT id, brand_id, name, front_line_group_id, hidden_from_portal, new_tickets_in_portal, require_resolution_to_close,
                    \(effectiveTemplate(of: "template_id", onlyWithFields: true)), require_tasks_completed_to_close, require_verified_email, search_knowledge_base, message_before_submission, message_after_submission,
                    language
                FROM \(database.table("departments")) \(tail)
                """, binds: binds), logger: database.logger)
        var result: [KnownDepartment] = []
        for try await (id, brand, name, front, hidden, role, resolution, template, tasks, verified, search, before, after, language) in rows.decode(
            (UUID, UUID, String, UUID, Bool, String, Bool, UUID?, Bool, Bool, Bool, String, String, String).self) {
            result.append(KnownDepartment(
                id: id, brandID: brand, name: name, frontLineGroupID: front, hiddenFromPortal: hidden, newTicketsInPortal: role,
                requireResolutionToClose: resolution, requireTasksCompletedToClose: tasks, templateID: template,
                portal: PortalSubmission(requireVerifiedEmail: verified, searchKnowledgeBase: search, messageBefore: before, messageAfter: after),
                language: language))
        }
        return result
    }

    /// Departments that "allow all agents to find items in this department using advanced search" (read-only).
    public func departmentsSearchableByAllAgents() async throws -> Set<String> {
        Set(try await departmentList(.searchableByAllAgents, where: "open_to_all_agents_search").map(\.lowercased))
    }

    /// Departments whose managers need not belong to them to view their tickets.
    public func departmentsOpenToOutsideManagers() async throws -> [UUID] {
        try await departmentList(.openToOutsideManagers, where: "open_to_outside_managers")
    }

    private func departmentList(_ list: DirectoryCache.DepartmentList, where flag: String) async throws -> [UUID] {
        try await directoryCache.departmentLists.value(for: list) {
            let rows = try await database.client.query(
                PostgresQuery(unsafeSQL: "SELECT id FROM \(database.table("departments")) WHERE \(flag) ORDER BY id"), logger: database.logger)
            var result: [UUID] = []
            for try await id in rows.decode(UUID.self) { result.append(id) }
            return result
        }
    }

    /// The department of a group, nil when tickets does not know the group.
    public func departmentOfGroup(_ groupID: UUID) async throws -> UUID? {
        try await database.client.withConnection { try await departmentOfGroup(groupID, on: $0) }
    }

    /// The department of a group, nil when tickets does not know the group.
    func departmentOfGroup(_ groupID: UUID, on connection: PostgresConnection) async throws -> UUID? {
        var binds = PostgresBindings()
        binds.append(groupID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT department_id FROM \(database.table("groups")) WHERE id = $1", binds: binds), logger: database.logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    /// The groups (with their departments) an agent belongs to, whatever their ticket handling.
    public func memberships(of agentID: UUID) async throws -> [(group: UUID, department: UUID)] {
        try await directoryCache.memberships.value(for: agentID) {
            var binds = PostgresBindings()
            binds.append(agentID)
            let rows = try await database.client.query(
                PostgresQuery(unsafeSQL: "SELECT group_id, department_id FROM \(database.table("agent_groups")) WHERE agent_id = $1", binds: binds),
                logger: database.logger)
            var result: [(UUID, UUID)] = []
            for try await row in rows.decode((UUID, UUID).self) { result.append(row) }
            return result
        }
    }

    /// The agent's standing in a group: nil when not a member, otherwise whether they are active for tickets there.
    func standing(of agentID: UUID, in groupID: UUID, on connection: PostgresConnection) async throws -> Bool? {
        var binds = PostgresBindings()
        binds.append(groupID)
        binds.append(agentID)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT m.active AND NOT m.excluded AND NOT coalesce(a.signed_out, false)
                FROM \(database.table("agent_groups")) m LEFT JOIN \(database.table("agents")) a ON a.id = m.agent_id
                WHERE m.group_id = $1 AND m.agent_id = $2
                """, binds: binds),
            logger: database.logger)
        for try await active in rows.decode(Bool.self) { return active }
        return nil
    }
}
