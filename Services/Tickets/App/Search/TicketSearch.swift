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
    /// How many matches come before the page (advanced search's later pages): at most ``TicketSearch/deepestMatch``
    /// with `limit`.
    public var offset = 0
    /// Custom field values that must match exactly (field id → value), and the creation date range.
    public var fields: [String: String] = [:]
    /// Checkbox fields searched for unchecked: a ticket that never had a value shows the box unchecked too, so these
    /// match every ticket whose value is not `true` (``uncheckBoxes(_:)``).
    public var uncheckedFields: [String] = []
    public var createdFrom: Date?
    public var createdTo: Date?
    /// Only tickets with a resolution (for "similar resolved tickets"), and tickets to leave out.
    public var resolvedOnly = false
    public var excludedIDs: [String] = []
    /// The text is plain words (a ticket's subject looked up for similar tickets), not search syntax.
    public var textIsPlainWords = false
    /// The addresses `customer` stands for, once looked up.
    var customerEmails: [String]?
    /// The ticket `number` names (following merge forwarders), once looked up.
    var numberedID: String?
    /// The tickets `email`'s customer shares (merged into another customer's), once looked up.
    var sharedTicketIDs: [UUID] = []

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
    /// Moves the checkbox fields among `fields` searched for `false` to ``uncheckedFields``.
    public mutating func uncheckBoxes(_ checkboxes: Set<String>) {
        for (field, value) in fields where value == "false" && checkboxes.contains(field) {
            fields[field] = nil
            uncheckedFields.append(field)
        }
        uncheckedFields.sort()
    }

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
    let searched: SearchedTickets

    /// `store` is the service's own, to share its directory cache; `keptTickets` how many tickets of hits are kept
    /// for the index version that found them, and for how long at most (``SearchedTickets``; 0 tickets: none).
    public init(
        index: any TextSearching, database: Database, store: TicketStore? = nil, keptTickets: Int = 10_000, keptFor: Duration = .seconds(1)
    ) {
        self.index = index
        self.database = database
        self.store = store ?? TicketStore(database: database)
        self.searched = SearchedTickets(capacity: keptTickets, maxAge: keptFor)
    }

    public func search(_ criteria: TicketSearchCriteria, caller: TicketCaller) async throws -> TicketSearchResults {
        var criteria = criteria
        if let customer = criteria.customer {
            let emails = try await store.customerEmails(matching: customer)
            guard !emails.isEmpty else { return TicketSearchResults(items: [], estimatedTotal: 0, suggestion: nil) }
            criteria.customerEmails = emails
        }
        if let email = criteria.email { criteria.sharedTicketIDs = try await store.sharedTickets(of: email) }
        if let number = criteria.number {
            guard let ticket = try await store.find(number: number, deleted: criteria.onlyDeleted) else {
                return TicketSearchResults(items: [], estimatedTotal: 0, suggestion: nil)
            }
            criteria.numberedID = ticket.id
        }
        guard let text = criteria.text?.nonEmptyText else {
            // Similar resolved tickets are found by words; without any there is nothing like the ticket to show.
            guard !criteria.resolvedOnly else { return TicketSearchResults(items: [], estimatedTotal: 0, suggestion: nil) }
            return try await structured(criteria, caller: caller)
        }
        let visibility = visibilityTerms(caller).map { $0 + caller.searchableDepartments.sorted().map(TicketSearchTerms.department) }
        let results = try await index.search(Self.textQuery(criteria, text: text, visibility: visibility))
        let tickets = try await load(results)
        // The index says whether a ticket is deleted as of its last write (a deletion reaches it within a second);
        // the ticket read now has the last word. A ticket the caller reads only as its customer is not a search hit:
        // its text includes agents' comments.
        let hits = results.hits.compactMap { hit -> TicketSearchHit? in
            guard let ticket = tickets[hit.id], caller.canRead(ticket), !caller.readsAsCustomer(ticket), criteria.inDateRange(ticket.createdAt),
                (ticket.deletedAt != nil) == criteria.onlyDeleted
            else { return nil }
            return TicketSearchHit(ticket: ticket, snippet: hit.snippet, percent: hit.percent)
        }
        // The hits dropped here were counted by the index: the estimate leaves them out, as the search without text does.
        return TicketSearchResults(items: hits, estimatedTotal: results.estimatedTotal - (results.hits.count - hits.count), suggestion: results.suggestion)
    }

    /// The index query for text criteria: `visibility` (boolean terms, nil for everything) and every criterion are
    /// filters inside the ranked query. Advanced search finds tickets with every word ("Advanced searches use the
    /// 'and' modifier for combining phrases and fields", S001:3280); similar resolved tickets, any of them.
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
            + criteria.uncheckedFields.map { TicketSearchTerms.field($0, "true") }
        var query = SearchQuery(
            text: text, filterGroups: filters, excluded: excluded, valueRanges: criteria.createdRange.map { [$0] } ?? [], offset: criteria.offset,
            limit: criteria.limit,
            language: SearchQuery.everyIndexedLanguage, snippetField: criteria.resolvedOnly ? "R" : nil)
        // A ticket's subject looks for resolutions sharing any of its words; the agent's own terms narrow them (S001:1214).
        query.matchesEveryWord = !(criteria.resolvedOnly && criteria.textIsPlainWords)
        query.plainWords = criteria.textIsPlainWords
        return query
    }

    /// Boolean terms of what the caller may see, nil for everything: agents their groups, managers also their
    /// departments.
    func visibilityTerms(_ caller: TicketCaller) -> [String]? {
        guard !caller.seesEverything else { return nil }
        var terms = caller.groups.sorted().map(TicketSearchTerms.group)
        terms += caller.managedDepartments.sorted().map(TicketSearchTerms.department)
        return terms
    }

    /// Criteria without text: SQL with a condition for each criterion given (``QueryConditions``), newest first. A full
    /// page, or an empty one after `offset`, counts the matches, up to ``countedMatches``, for `estimatedTotal`.
    private func structured(_ criteria: TicketSearchCriteria, caller: TicketCaller) async throws -> TicketSearchResults {
        let (tail, binds) = Self.structuredTail(criteria, caller: caller, tables: database.table)
        let (found, total) = try await database.client.withConnection { connection in
            let found = try await store.tickets(tail, binds, on: connection)
            if found.count < criteria.limit && (!found.isEmpty || criteria.offset == 0) { return (found, criteria.offset + found.count) }
            let (count, countBinds) = Self.structuredCount(criteria, caller: caller, tables: database.table)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: count, binds: countBinds), logger: database.logger)
            var counted = criteria.offset + found.count
            for try await value in rows.decode(Int.self) { counted = value }
            return (found, counted)
        }
        // As for text: a ticket the caller reads only as its customer is not a hit (its agents' part would show), nor one
        // the groups' condition lets through that the caller may not open (another agent's, without View Queue).
        let hits = found.filter { caller.canRead($0) && !caller.readsAsCustomer($0) }
        return TicketSearchResults(
            items: hits.map { TicketSearchHit(ticket: $0, snippet: nil, percent: nil) }, estimatedTotal: total - (found.count - hits.count),
            suggestion: nil)
    }

    /// How many matches a search without text counts at most: its `estimatedTotal` is exact below it and reads as this
    /// many from it on, so a criterion that matches most of a million tickets does not count them all.
    static let countedMatches = 10_000

    /// The last match a page may reach (`offset` + `limit`): as far as a search without text counts, so every match its
    /// `estimatedTotal` counts can be paged to, and a page never reads more rows than a count does.
    public static let deepestMatch = countedMatches

    /// What follows `SELECT … FROM tickets` in a search without text, and its parameters.
    /// `tables` names a table of the tickets schema (``Database/table(_:)``).
    static func structuredTail(_ criteria: TicketSearchCriteria, caller: TicketCaller, tables: (String) -> String) -> (String, PostgresBindings) {
        var conditions = structuredConditions(criteria, caller: caller, tables: tables)
        let limit = conditions.bind(criteria.limit)
        let page = criteria.offset > 0 ? "LIMIT \(limit) OFFSET \(conditions.bind(criteria.offset))" : "LIMIT \(limit)"
        return ("\(conditions.whereClause) ORDER BY created_at DESC, id DESC \(page)", conditions.binds)
    }

    /// The statement counting a search's matches up to ``countedMatches``, and its parameters.
    static func structuredCount(_ criteria: TicketSearchCriteria, caller: TicketCaller, tables: (String) -> String) -> (String, PostgresBindings) {
        var conditions = structuredConditions(criteria, caller: caller, tables: tables)
        let bound = conditions.bind(countedMatches)
        return ("SELECT count(*)::bigint FROM (SELECT 1 FROM \(tables("tickets")) \(conditions.whereClause) LIMIT \(bound)) AS matched", conditions.binds)
    }

    /// The conditions of a search without text: what the caller may see and each criterion given.
    private static func structuredConditions(_ criteria: TicketSearchCriteria, caller: TicketCaller, tables: (String) -> String) -> QueryConditions {
        let fieldValues = tables("ticket_field_values")
        var query = QueryConditions(criteria.onlyDeleted ? "deleted_at IS NOT NULL" : "deleted_at IS NULL")
        if !caller.seesEverything {
            let groups = query.bind(caller.groups.compactMap(UUID.init(parsing:)))
            let departments = query.bind(caller.managedDepartments.union(caller.searchableDepartments).compactMap(UUID.init(parsing:)))
            query.require("(group_id = ANY(\(groups)) OR department_id = ANY(\(departments)))")
        }
        query.require(criteria.numberedID.flatMap(UUID.init(parsing:))) { "id = \($0)" }
        query.require(criteria.statuses.map(\.rawValue).nonEmpty) { "status = ANY(\($0))" }
        query.require(criteria.priorities.map(\.rank).nonEmpty) { "priority = ANY(\($0))" }
        query.require(criteria.brandID) { "brand_id = \($0)" }
        query.require(criteria.departmentID) { "department_id = \($0)" }
        query.require(criteria.groupID) { "group_id = \($0)" }
        query.require(criteria.agentID) { "agent_id = \($0)" }
        // The customer's tickets (newest first on their index) and those they share, merged into another customer's.
        if criteria.sharedTicketIDs.isEmpty {
            query.require(criteria.email?.lowercased()) { "lower(customer_email) = \($0)" }
        } else if let email = criteria.email?.lowercased() {
            query.require("(lower(customer_email) = \(query.bind(email)) OR id = ANY(\(query.bind(criteria.sharedTicketIDs))))")
        }
        query.require(criteria.customerEmails) { "lower(customer_email) = ANY(\($0))" }
        query.require(criteria.deletedBy) { "deleted_by = \($0)" }
        query.require(criteria.createdFrom) { "created_at >= \($0)" }
        query.require(criteria.createdTo) { "created_at < \($0)" }
        if !criteria.fields.isEmpty {
            let keys = criteria.fields.keys.sorted()
            let fields = query.bind(keys.compactMap(UUID.init(parsing:)))
            let values = query.bind(keys.map { criteria.fields[$0] ?? "" })
            query.require("""
                (SELECT count(*) FROM \(fieldValues) v
                 JOIN unnest(\(fields)::uuid[], \(values)::text[]) AS c(field_id, value) ON c.field_id = v.field_id AND lower(c.value) = lower(v.value)
                 WHERE v.ticket_id = tickets.id) = cardinality(\(fields)::uuid[])
                """)
        }
        if !criteria.uncheckedFields.isEmpty {
            let unchecked = query.bind(criteria.uncheckedFields.compactMap(UUID.init(parsing:)))
            query.require("NOT EXISTS (SELECT 1 FROM \(fieldValues) v WHERE v.ticket_id = tickets.id AND v.field_id = ANY(\(unchecked)) AND v.value = 'true')")
        }
        return query
    }

    /// The tickets of the hits by id: those ``SearchedTickets`` kept for the hits' index version, the others from
    /// PostgreSQL.
    private func load(_ results: SearchResults) async throws -> [String: Ticket] {
        let (kept, missing) = searched.tickets(results.hits.map(\.id), version: results.version)
        let ids = missing.compactMap { UUID(parsing: $0) }
        guard !ids.isEmpty else { return kept }
        let loaded = try await database.client.withConnection { try await store.tickets(ids: ids, includingDeleted: true, on: $0) }
        searched.keep(loaded, version: results.version)
        return kept.merging(loaded.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Basic search inside a list view: the view's own scope and status (Active unless given) as filters, ranked by the
    /// index. In Recent, Recently Transferred and Follow-ups their own tickets are the filter, of any status unless
    /// Recent's tab names one.
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
            if let brandGroups = caller.brandGroups { filters.append(brandGroups.sorted().map(TicketSearchTerms.group)) }
        case .group: filters.append([TicketSearchTerms.group(scope?.lowercased ?? "")])
        case .department: filters.append([TicketSearchTerms.department(scope?.lowercased ?? "")])
        case .brand: filters.append([TicketSearchTerms.brand(scope?.lowercased ?? "")])
        case .all:
            if !caller.seesEverything { filters.append(caller.ownManagedDepartments.sorted().map(TicketSearchTerms.department)) }
        case .recent, .recentlyTransferred, .followUps:
            guard let agent = UUID(parsing: caller.principal.userID) else { return [] }
            let members = try await store.personalViewMembers(view, agent: agent)
            guard !members.isEmpty else { return [] }
            filters = [members.map { "Q" + $0.lowercased }] + (view == .followUps ? [] : status.map { [$0.listed.map(TicketSearchTerms.status)] } ?? [])
        case .customer:
            throw Problem.badRequest("The portal's own list is searched by subject.")
        }
        let results = try await index.search(SearchQuery(text: text, filterGroups: filters, excluded: [TicketSearchTerms.deleted], limit: limit, language: SearchQuery.everyIndexedLanguage))
        let tickets = try await load(results)
        let found = results.hits.compactMap { tickets[$0.id] }.filter { $0.deletedAt == nil }
        guard [.recent, .recentlyTransferred, .followUps].contains(view) else { return found.filter(caller.canRead) }
        // The agent's own lists show their tickets as they list them, a ticket transferred out of their groups included;
        // such a ticket is found by the words of its subject, which the list shows, not by what was written in it.
        return found.filter { caller.canRead($0) || Self.subject($0.subject, containsEveryWordOf: text) }
    }

    /// Whether every word of `text` is part of `subject`, whatever the case.
    static func subject(_ subject: String, containsEveryWordOf text: String) -> Bool {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        let shown = subject.lowercased()
        return !words.isEmpty && words.allSatisfy { shown.contains($0) }
    }
}
