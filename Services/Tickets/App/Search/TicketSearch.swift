import Contracts
import Database
import Foundation
import PostgresNIO
import Search
import ServiceKit

/// Advanced search criteria (all combine with AND).
public struct TicketSearchCriteria: Sendable {
    public var text: String?
    public var number: String?
    public var email: String?
    /// Customer Name or Customer Username: the customer's display name contains it, or their username is it.
    public var customer: String?
    public var statuses: [TicketStatus]
    public var priorities: [TicketPriority]
    public var brandID: UUID?
    public var departmentID: UUID?
    public var groupID: UUID?
    public var agentID: UUID?
    public var onlyDeleted: Bool
    /// Only deleted items: the agent who deleted them.
    public var deletedBy: UUID?
    public var limit: Int
    /// Custom field values that must match exactly (field id → value), and the creation date range.
    public var fields: [String: String] = [:]
    public var createdFrom: Date?
    public var createdTo: Date?
    /// Only tickets with a resolution (for "similar resolved tickets"), and tickets to leave out.
    public var resolvedOnly = false
    public var excludedIDs: [String] = []
    /// The addresses `customer` stands for, once looked up.
    var customerEmails: [String]?
    /// The ticket `number` names (following merge forwarders), once looked up.
    var numberedID: String?

    public init(
        text: String? = nil, number: String? = nil, email: String? = nil, statuses: [TicketStatus] = [], priorities: [TicketPriority] = [],
        departmentID: UUID? = nil, groupID: UUID? = nil, agentID: UUID? = nil, onlyDeleted: Bool = false, limit: Int = 50
    ) {
        self.text = text
        self.number = number
        self.email = email
        self.statuses = statuses
        self.priorities = priorities
        self.departmentID = departmentID
        self.groupID = groupID
        self.agentID = agentID
        self.onlyDeleted = onlyDeleted
        self.limit = limit
    }
}

extension TicketSearchCriteria {
    func inDateRange(_ date: Date) -> Bool {
        (createdFrom.map { date >= $0 } ?? true) && (createdTo.map { date < $0 } ?? true)
    }

    /// The creation date range as the index's value range on the creation slot (whole seconds, both ends
    /// inclusive: `createdTo` is exclusive, so its last included second), nil without dates.
    var createdRange: SearchValueRange? {
        guard createdFrom != nil || createdTo != nil else { return nil }
        return SearchValueRange(
            slot: TicketSearchTerms.createdSlot, lower: createdFrom.map { TicketSearchTerms.sortable($0.timeIntervalSince1970.rounded(.down)) },
            upper: createdTo.map { TicketSearchTerms.sortable($0.timeIntervalSince1970.rounded(.up) - 1) })
    }
}

public struct TicketSearchHit: Codable, Sendable {
    public var ticket: Ticket
    public var snippet: String?
    public var percent: Int?

    public init(ticket: Ticket, snippet: String?, percent: Int?) {
        self.ticket = ticket
        self.snippet = snippet
        self.percent = percent
    }
}

public struct TicketSearchResults: Codable, Sendable {
    public var items: [TicketSearchHit]
    public var estimatedTotal: Int
    public var suggestion: String?

    public init(items: [TicketSearchHit], estimatedTotal: Int, suggestion: String?) {
        self.items = items
        self.estimatedTotal = estimatedTotal
        self.suggestion = suggestion
    }
}

/// Search with the caller's visibility inside the query: text is ranked by the Xapian index (subject above
/// messages, comments and resolutions), criteria without text are SQL on indexed columns.
public struct TicketSearch: Sendable {
    let index: any TextSearching
    let database: Database
    let store: TicketStore

    /// `store` is the service's own, to share its directory cache.
    public init(index: any TextSearching, database: Database, store: TicketStore? = nil) {
        self.index = index
        self.database = database
        self.store = store ?? TicketStore(database: database)
    }

    public func search(_ criteria: TicketSearchCriteria, caller: TicketCaller) async throws -> TicketSearchResults {
        var criteria = criteria
        if let customer = criteria.customer {
            let emails = try await store.customerEmails(matching: customer)
            guard !emails.isEmpty else { return TicketSearchResults(items: [], estimatedTotal: 0, suggestion: nil) }
            criteria.customerEmails = emails
        }
        if let number = criteria.number {
            guard let ticket = try await store.find(number: number, deleted: criteria.onlyDeleted) else {
                return TicketSearchResults(items: [], estimatedTotal: 0, suggestion: nil)
            }
            criteria.numberedID = ticket.id
        }
        guard let text = criteria.text?.nonEmptyText else { return try await structured(criteria, caller: caller) }
        let visibility = visibilityTerms(caller).map { $0 + caller.searchableDepartments.sorted().map(TicketSearchTerms.department) }
        let results = try await index.search(Self.textQuery(criteria, text: text, visibility: visibility))
        let tickets = try await load(results.hits.compactMap { UUID(parsing: $0.id) })
        let hits = results.hits.compactMap { hit -> TicketSearchHit? in
            guard let ticket = tickets[hit.id], caller.canRead(ticket), criteria.inDateRange(ticket.createdAt) else { return nil }
            return TicketSearchHit(ticket: ticket, snippet: hit.snippet, percent: hit.percent)
        }
        return TicketSearchResults(items: hits, estimatedTotal: results.estimatedTotal, suggestion: results.suggestion)
    }

    /// The index query for text criteria: `visibility` (boolean terms, nil for everything) and every criterion are
    /// filters inside the ranked query.
    public static func textQuery(_ criteria: TicketSearchCriteria, text: String, visibility: [String]?) -> SearchQuery {
        var filters: [[String]] = visibility.map { [$0] } ?? []
        if !criteria.statuses.isEmpty { filters.append(criteria.statuses.map(TicketSearchTerms.status)) }
        if !criteria.priorities.isEmpty { filters.append(criteria.priorities.map(TicketSearchTerms.priority)) }
        if let brand = criteria.brandID { filters.append([TicketSearchTerms.brand(brand.lowercased)]) }
        if let department = criteria.departmentID { filters.append([TicketSearchTerms.department(department.lowercased)]) }
        if let group = criteria.groupID { filters.append([TicketSearchTerms.group(group.lowercased)]) }
        if let agent = criteria.agentID { filters.append([TicketSearchTerms.agent(agent.lowercased)]) }
        if let email = criteria.email { filters.append([TicketSearchTerms.email(email)]) }
        if let emails = criteria.customerEmails { filters.append(emails.map(TicketSearchTerms.email)) }
        if criteria.onlyDeleted { filters.append([TicketSearchTerms.deleted]) }
        if let deletedBy = criteria.deletedBy { filters.append([TicketSearchTerms.deletedBy(deletedBy.lowercased)]) }
        if criteria.resolvedOnly { filters.append([TicketSearchTerms.resolved]) }
        if let id = criteria.numberedID { filters.append(["Q" + id]) }
        for (field, value) in criteria.fields.sorted(by: { $0.key < $1.key }) { filters.append([TicketSearchTerms.field(field, value)]) }
        let excluded = (criteria.onlyDeleted ? [] : [TicketSearchTerms.deleted]) + criteria.excludedIDs.map { "Q" + $0 }
        return SearchQuery(
            text: text, filterGroups: filters, excluded: excluded, valueRanges: criteria.createdRange.map { [$0] } ?? [], limit: criteria.limit,
            language: "en", snippetField: criteria.resolvedOnly ? "R" : nil)
    }

    /// Boolean terms of what the caller may see, nil for everything: agents their groups, managers also their
    /// departments.
    func visibilityTerms(_ caller: TicketCaller) -> [String]? {
        guard !caller.seesEverything else { return nil }
        var terms = caller.groups.sorted().map(TicketSearchTerms.group)
        terms += caller.managedDepartments.sorted().map(TicketSearchTerms.department)
        return terms
    }

    private func structured(_ criteria: TicketSearchCriteria, caller: TicketCaller) async throws -> TicketSearchResults {
        var binds = PostgresBindings()
        binds.append(caller.seesEverything ? nil : caller.groups.compactMap(UUID.init(parsing:)))
        binds.append(caller.seesEverything ? [] : caller.managedDepartments.union(caller.searchableDepartments).compactMap(UUID.init(parsing:)))
        binds.append(criteria.statuses.isEmpty ? nil : criteria.statuses.map(\.rawValue))
        binds.append(criteria.priorities.isEmpty ? nil : criteria.priorities.map(\.rank))
        binds.append(criteria.departmentID)
        binds.append(criteria.groupID)
        binds.append(criteria.agentID)
        binds.append(criteria.email?.lowercased())
        binds.append(criteria.onlyDeleted)
        binds.append(criteria.limit)
        binds.append(criteria.createdFrom)
        binds.append(criteria.createdTo)
        binds.append(criteria.fields.isEmpty ? nil : criteria.fields.keys.sorted().compactMap(UUID.init(parsing:)))
        binds.append(criteria.fields.isEmpty ? nil : criteria.fields.keys.sorted().map { criteria.fields[$0] ?? "" })
        binds.append(criteria.brandID)
        binds.append(criteria.deletedBy)
        binds.append(criteria.customerEmails)
        binds.append(criteria.numberedID.flatMap(UUID.init(parsing:)))
        let found = try await database.client.withConnection { connection in
            try await store.tickets("""
                WHERE ($1::uuid[] IS NULL OR group_id = ANY($1) OR department_id = ANY($2::uuid[]))
                  AND ($3::text[] IS NULL OR status = ANY($3)) AND ($4::integer[] IS NULL OR priority = ANY($4))
                  AND ($15::uuid IS NULL OR brand_id = $15) AND ($5::uuid IS NULL OR department_id = $5) AND ($6::uuid IS NULL OR group_id = $6) AND ($7::uuid IS NULL OR agent_id = $7)
                  AND ($8::text IS NULL OR lower(customer_email) = $8) AND ($17::text[] IS NULL OR lower(customer_email) = ANY($17)) AND ((deleted_at IS NOT NULL) = $9) AND ($16::uuid IS NULL OR deleted_by = $16)
                  AND ($11::timestamptz IS NULL OR created_at >= $11) AND ($12::timestamptz IS NULL OR created_at < $12) AND ($18::uuid IS NULL OR id = $18)
                  AND ($13::uuid[] IS NULL OR (SELECT count(*) FROM \(database.table("ticket_field_values")) v
                        JOIN unnest($13::uuid[], $14::text[]) AS c(field_id, value) ON c.field_id = v.field_id AND lower(c.value) = lower(v.value)
                        WHERE v.ticket_id = tickets.id) = cardinality($13::uuid[]))
                ORDER BY created_at DESC, id DESC LIMIT $10
                """, binds, on: connection)
        }
        return TicketSearchResults(
            items: found.map { TicketSearchHit(ticket: $0, snippet: nil, percent: nil) }, estimatedTotal: found.count, suggestion: nil)
    }

    private func load(_ ids: [UUID]) async throws -> [String: Ticket] {
        guard !ids.isEmpty else { return [:] }
        let tickets = try await database.client.withConnection { try await store.tickets(ids: ids, includingDeleted: true, on: $0) }
        return Dictionary(tickets.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Basic search inside a list view: the view's own scope and status (Active unless given) as filters, ranked by the
    /// index. Recent, Recently Transferred and Follow-ups have no status tabs: their own tickets are the filter.
    public func searchView(
        _ view: TicketView, scope: UUID?, status: TicketStatus?, text: String, caller: TicketCaller, limit: Int
    ) async throws -> [Ticket] {
        var filters: [[String]] = [(status ?? .active).listed.map(TicketSearchTerms.status)]
        switch view {
        case .mine: filters.append([TicketSearchTerms.agent(caller.principal.userID)])
        case .agent: filters.append([TicketSearchTerms.agent(scope?.lowercased ?? "")])
        case .queue:
            filters.append([TicketSearchTerms.agent(nil)])
            if let terms = visibilityTerms(caller) { filters.append(terms) }
        case .group: filters.append([TicketSearchTerms.group(scope?.lowercased ?? "")])
        case .department: filters.append([TicketSearchTerms.department(scope?.lowercased ?? "")])
        case .brand: filters.append([TicketSearchTerms.brand(scope?.lowercased ?? "")])
        case .all:
            if !caller.seesEverything { filters.append(caller.ownManagedDepartments.sorted().map(TicketSearchTerms.department)) }
        case .recent, .recentlyTransferred, .followUps:
            guard let agent = UUID(parsing: caller.principal.userID) else { return [] }
            let members = try await store.personalViewMembers(view, agent: agent)
            guard !members.isEmpty else { return [] }
            filters = [members.map { "Q" + $0.lowercased }]
        case .customer:
            throw Problem.badRequest("The portal's own list is searched by subject.")
        }
        let results = try await index.search(SearchQuery(text: text, filterGroups: filters, excluded: [TicketSearchTerms.deleted], limit: limit, language: "en"))
        let tickets = try await load(results.hits.compactMap { UUID(parsing: $0.id) })
        let found = results.hits.compactMap { tickets[$0.id] }
        // The agent's own lists show their tickets as they list them (a ticket transferred away included).
        return [.recent, .recentlyTransferred, .followUps].contains(view) ? found : found.filter(caller.canRead)
    }
}
