import Auth
import Contracts
import Foundation
import Hummingbird
import Search
import ServiceKit

/// `GET /api/v1/tickets/search` (advanced search) and `GET …/{id}/similar` (resolved tickets like this one, found by its
/// subject or by the agent's own terms, `?q=`).
public struct TicketSearchController: Sendable {
    let search: TicketSearch
    let access: TicketRequestAccess

    public init(search: TicketSearch, store: TicketStore) {
        self.search = search
        self.access = TicketRequestAccess(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("search") { request, context in
            guard var caller = try await access.caller(context, required: true) else { throw Problem.unauthorized("Sign in first.") }
            try Authorization.require(caller.principal, .tickets, "Advanced Search")
            // Advanced Search without the agent's part (a Custom grant of it alone) reads no ticket: it would list
            // tickets that caller could not open.
            guard caller.isAgent else { throw Problem.forbidden("Advanced search is for agents.") }
            if !caller.seesEverything { caller.searchableDepartments = try await search.store.departmentsSearchableByAllAgents() }
            var criteria = try Self.criteria(request.uri.queryParameters)
            if !criteria.fields.isEmpty {
                let definitions = try await search.store.fieldDefinitions()
                criteria.fields = try Self.normalized(criteria.fields, by: definitions)
                criteria.uncheckBoxes(Set(definitions.filter { $0.dataType == .checkbox }.map { $0.id.lowercased() }))
            }
            return try await search.search(criteria, caller: caller)
        }
        group.get("{id}/similar") { request, context in
            let (ticket, caller) = try await access.readable(context, for: .agentRead)
            try Authorization.require(caller.principal, .tickets, "Assistance")
            let refined = try Self.queryText(request.uri.queryParameters)
            let limit = try Self.limit(request.uri.queryParameters, upTo: 50) ?? 5
            var criteria = TicketSearchCriteria(text: refined ?? ticket.subject, statuses: [.closed, .closedLocked], limit: limit)
            // The subject is the customer's words: "PRINTER NOT PRINTING" looks for all three, not for printers without "printing".
            criteria.textIsPlainWords = refined == nil
            criteria.excludedIDs = [ticket.id]
            criteria.resolvedOnly = true
            return try await search.search(criteria, caller: caller)
        }
    }

    /// The custom field criteria as their values are stored (trimmed, a checkbox `true`/`false`), each checked as a
    /// value of its field: 422 naming `field.<id>` for a field that does not exist or a value it cannot hold.
    static func normalized(_ fields: [String: String], by definitions: [CustomFieldDefinition]) throws -> [String: String] {
        let known = Dictionary(definitions.map { ($0.id.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var errors: [Problem.FieldError] = []
        var normalized: [String: String] = [:]
        for (id, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard let definition = known[id] else {
                errors.append(.init(field: "field.\(id)", message: "no such custom field"))
                continue
            }
            // Values match whatever their case, a dropdown's option too.
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            let option = definition.dataType == .dropdown ? definition.options.first { $0.lowercased() == trimmed.lowercased() } : nil
            do { normalized[id] = try CustomFieldRules.normalize(option ?? value, for: definition) } catch let problem as Problem {
                errors += problem.errors.map { .init(field: "field.\(id)", message: $0.message) }
            }
        }
        try Problem.throwIfInvalid(errors)
        return normalized
    }

    /// The longest search text taken: each word may cost a spelling lookup and a search of its own.
    static let maximumText = 500

    /// The words of `?q=` (a search within a view, or refining similar tickets), nil when none; 400 past
    /// ``maximumText`` characters, since every word is a term the index reads.
    static func queryText(_ query: Parameters) throws -> String? {
        guard let text = query["q"].map(String.init)?.nonEmptyText else { return nil }
        guard text.count <= maximumText else { throw Problem.badRequest("q is at most \(maximumText) characters.") }
        return text
    }

    /// `?limit=`, 1 to `maximum` (400 otherwise); nil when absent.
    static func limit(_ query: Parameters, upTo maximum: Int) throws -> Int? {
        try query["limit"].map(String.init)?.nonEmptyText.map { text in
            guard let limit = Int(text), (1...maximum).contains(limit) else { throw Problem.badRequest("limit is 1 to \(maximum).") }
            return limit
        }
    }

    static func criteria(_ query: Parameters) throws -> TicketSearchCriteria {
        func value(_ name: Substring) -> String? { query[name].map(String.init)?.nonEmptyText }
        func id(_ name: Substring) throws -> UUID? {
            try value(name).map { text in
                guard let id = UUID(parsing: text) else { throw Problem.badRequest("\(name) must be an id.") }
                return id
            }
        }
        let statuses = try (value("status")?.split(separator: ",") ?? []).map { text in
            guard let status = TicketStatus(rawValue: String(text)) else { throw Problem.badRequest("status is active, waiting, closed or closed_locked.") }
            return status
        }
        let priorities = try (value("priority")?.split(separator: ",") ?? []).map { text in
            guard let priority = TicketPriority(rawValue: String(text)) else { throw Problem.badRequest("priority is low, normal, high or urgent.") }
            return priority
        }
        let limit = try Self.limit(query, upTo: 200) ?? 50
        // "Search all items except deleted items" or "Search only deleted items" [S001:3291]: anything else is a mistake.
        let include = value("include")
        guard include == nil || include == "deleted" else { throw Problem.badRequest("include is deleted (only deleted items) or absent.") }
        let offset = try value("offset").map { text in
            guard let offset = Int(text), (0...(TicketSearch.deepestMatch - limit)).contains(offset) else {
                throw Problem.badRequest("offset is 0 to \(TicketSearch.deepestMatch - limit): a page reaches at most match \(TicketSearch.deepestMatch).")
            }
            return offset
        } ?? 0
        /// A bare `to` date includes its day.
        func date(_ name: Substring) throws -> Date? {
            try value(name).map { text in
                if let date = DateInput.bound(text, endOfDay: name == "to") { return date }
                throw Problem.badRequest("\(name) must be a date such as 2026-12-01 or 2026-12-01T09:00:00Z.")
            }
        }
        var criteria = TicketSearchCriteria(
            text: value("text"), number: value("number"), email: value("email"), statuses: statuses, priorities: priorities,
            departmentID: try id("departmentID"), groupID: try id("groupID"), agentID: try id("agentID"), onlyDeleted: include == "deleted",
            limit: limit)
        criteria.offset = offset
        criteria.brandID = try id("brandID")
        criteria.deletedBy = try id("deletedBy")
        criteria.customer = value("customer")
        if criteria.deletedBy != nil { criteria.onlyDeleted = true }
        criteria.createdFrom = try date("from")
        criteria.createdTo = try date("to")
        if let from = criteria.createdFrom, let to = criteria.createdTo, from >= to { throw Problem.badRequest("from must come before to.") }
        if let text = criteria.text, text.count > maximumText { throw Problem.badRequest("text is at most \(maximumText) characters.") }
        for (name, text) in query where name.hasPrefix("field.") {
            let fieldID = name.dropFirst("field.".count)
            guard UUID(parsing: String(fieldID)) != nil else { throw Problem.badRequest("field.<id> names a custom field by its id.") }
            criteria.fields[fieldID.lowercased()] = String(text)
        }
        return criteria
    }
}
