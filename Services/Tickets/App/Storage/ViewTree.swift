import Contracts
import Database
import Foundation
import PostgresNIO

/// The navigation pane: My Tickets, Follow-ups, the Queue and My Departments (each of the caller's
/// departments with its groups), every one with its Active/Waiting/Closed counts, read from the maintained counts.
public struct ViewTree: Codable, Sendable {
    public struct Counts: Codable, Sendable, Equatable {
        public var active: Int
        public var waiting: Int
        public var closed: Int

        public init(_ byStatus: [String: Int]?) {
            active = byStatus?["active"] ?? 0
            waiting = byStatus?["waiting"] ?? 0
            closed = (byStatus?["closed"] ?? 0) + (byStatus?["closed_locked"] ?? 0)
        }
    }

    public struct GroupNode: Codable, Sendable {
        public var id: String
        public var name: String
        public var counts: Counts
        /// The group's Queue count; nil (left out) for callers who see no Queue, and for a managed group they are no
        /// member of (whose queue they do not take from).
        public var queue: Int?
        /// Whether the caller may open the group's list: not an agent without View Queue, who sees only their own
        /// tickets (``TicketCaller/mayList(_:_:groupDepartment:)``).
        public var listable: Bool
    }

    public struct DepartmentNode: Codable, Sendable {
        public var id: String
        public var name: String
        public var counts: Counts
        public var groups: [GroupNode]
        /// Whether the caller may open the department's list (its managers); an agent opens its groups' lists.
        public var listable: Bool
    }

    public struct BrandOption: Codable, Sendable {
        public var id: String
        public var name: String
    }

    /// An agent of By Agent, with their list's counts.
    public struct AgentNode: Codable, Sendable {
        public var id: String
        public var name: String
        public var counts: Counts
    }

    public var myTickets: Counts
    /// The caller's follow-ups, scheduled and due.
    public var followUps: Int
    /// Of those, the ones whose time has come (the red marker).
    public var followUpsDue: Int
    /// The Queue's count; nil (left out) for callers without View Queue or Access the Queue.
    public var queue: Int?
    public var departments: [DepartmentNode]
    /// All Tickets' counts: over the departments the caller manages (every ticket for those who see everything); nil
    /// for agents who manage nothing, who are not offered the list.
    public var allTickets: Counts?
    /// The brand dropdown: the brands of the caller's departments, by name; the tree shows one of them when asked.
    public var brands: [BrandOption]
    /// By Agent: the agents whose lists the caller may open, by name; empty for agents who manage nothing, and in
    /// installations of ``TicketCaller/byAgentLimit`` agents or more.
    public var agents: [AgentNode]
}

extension TicketStore {
    /// The Queue's Active count as its list counts it (``queueGroups(of:)``): the caller's groups, or for those who see
    /// everything every group (of the brand chosen).
    private func queueTotal(_ caller: TicketCaller, brand: UUID?, ownGroups: [String: [String: Int]]) async throws -> Int {
        guard caller.seesEverything else { return ownGroups.values.reduce(0) { $0 + ($1["active"] ?? 0) } }
        guard let brand else { return try await counts.totals(scope: "queue")["active"] ?? 0 }
        return try await counts.totals(scope: "queue", ids: try await groupIDs(ofBrand: brand).compactMap(UUID.init(parsing:)))["active"] ?? 0
    }

    /// The tree for `caller`; with `brand`, My Departments and the Queue hold that brand's departments only ("Viewing
    /// Tickets by Brand").
    public func viewTree(for caller: TicketCaller, brand: UUID? = nil) async throws -> ViewTree {
        let user = UUID(parsing: caller.principal.userID).map { [$0] } ?? []
        let mine = try await counts.counts(scope: "agent", ids: user)
        let followUps = try await counts.counts(scope: "followups", ids: user)
        let allDepartments = try await names("departments", ids: caller.departments.compactMap(UUID.init(parsing:)), extra: "brand_id")
        let departments = allDepartments.filter { brand == nil || $0.parent == brand }
        let shown = Set(departments.map(\.id))
        let managed = departments.map(\.id).filter { caller.mayList(.department, $0.lowercased) }
        let groupIDs = caller.groups.compactMap(UUID.init(parsing:)) + (try await groups(ofDepartments: managed))
        let groups = try await names("groups", ids: Array(Set(groupIDs)), extra: "department_id")
            .filter { $0.parent.map(shown.contains) ?? false }
        let groupCounts = try await counts.counts(scope: "group", ids: groups.map(\.id))
        let ownGroups = groups.map(\.id).filter { caller.groups.contains($0.lowercased) }
        let queues = caller.seesQueue ? try await counts.counts(scope: "queue", ids: ownGroups) : [:]
        let departmentCounts = try await counts.counts(scope: "department", ids: departments.map(\.id))
        let nodes = departments.map { department in
            let departmentGroups = groups.filter { $0.parent == department.id }
            let listable = caller.mayList(.department, department.id.lowercased)
            // An agent who cannot open the department's list counts the groups they belong to, not the whole department.
            let shownCounts = listable
                ? departmentCounts[department.id.lowercased]
                : departmentGroups.reduce(into: [String: Int]()) { total, group in total.merge(groupCounts[group.id.lowercased] ?? [:], uniquingKeysWith: +) }
            return ViewTree.DepartmentNode(
                id: department.id.lowercased, name: department.name, counts: .init(shownCounts),
                groups: departmentGroups.map { group in
                    ViewTree.GroupNode(
                        id: group.id.lowercased, name: group.name, counts: .init(groupCounts[group.id.lowercased]),
                        queue: caller.seesQueue && ownGroups.contains(group.id) ? queues[group.id.lowercased]?["active"] ?? 0 : nil,
                        listable: caller.mayList(.group, group.id.lowercased, groupDepartment: department.id.lowercased))
                }, listable: listable)
        }
        return ViewTree(
            myTickets: .init(mine[caller.principal.userID]),
            followUps: (followUps[caller.principal.userID]?["scheduled"] ?? 0) + (followUps[caller.principal.userID]?["due"] ?? 0),
            followUpsDue: followUps[caller.principal.userID]?["due"] ?? 0,
            queue: caller.seesQueue ? try await queueTotal(caller, brand: brand, ownGroups: queues) : nil, departments: nodes, allTickets: try await allTicketCounts(caller),
            brands: try await names("brands", ids: Array(Set(allDepartments.compactMap(\.parent))), extra: nil).map {
                ViewTree.BrandOption(id: $0.id.lowercased, name: $0.name)
            },
            agents: try await byAgent(caller))
    }

    /// All Tickets' counts for this caller, as its list's header shows them.
    private func allTicketCounts(_ caller: TicketCaller) async throws -> ViewTree.Counts? {
        guard caller.mayListAll else { return nil }
        if caller.seesEverything { return ViewTree.Counts(try await counts.totals(scope: "brand")) }
        return ViewTree.Counts(try await counts.totals(scope: "department", ids: caller.ownManagedDepartments.compactMap(UUID.init(parsing:))))
    }

    /// The agents of By Agent for this caller, with their counts.
    /// Whether the installation has fewer agents than ``TicketCaller/byAgentLimit``, which By Agent is offered in
    /// (counting at most that many).
    public func offersByAgent() async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(TicketCaller.byAgentLimit)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT count(*)::int FROM (SELECT DISTINCT agent_id FROM \(database.table("agent_groups")) LIMIT $1) agents
                """, binds: binds), logger: database.logger)
        for try await count in rows.decode(Int.self) { return count < TicketCaller.byAgentLimit }
        return true
    }

    private func byAgent(_ caller: TicketCaller) async throws -> [ViewTree.AgentNode] {
        guard caller.seesEverything || !caller.managedDepartments.isEmpty else { return [] }
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT m.agent_id, coalesce(u.display_name, ''), array_agg(DISTINCT m.department_id)
                FROM \(database.table("agent_groups")) m LEFT JOIN \(database.table("users")) u ON u.id = m.agent_id
                GROUP BY m.agent_id, u.display_name ORDER BY lower(coalesce(u.display_name, '')), m.agent_id
                """),
            logger: database.logger)
        var agents: [(id: UUID, name: String, departments: [UUID])] = []
        for try await row in rows.decode((UUID, String, [UUID]).self) { agents.append(row) }
        guard agents.count < TicketCaller.byAgentLimit else { return [] }
        let holding = caller.seesEverything ? [:] : try await counts.ticketDepartments(of: agents.map(\.id))
        let listed = agents.filter { agent in
            let departments = Set(agent.departments.map(\.lowercased)).union(holding[agent.id.lowercased] ?? [])
            return caller.mayListAgent(agent.id.lowercased, departments: departments)
        }
        let counted = try await counts.counts(scope: "agent", ids: listed.map(\.id))
        return listed.map { ViewTree.AgentNode(id: $0.id.lowercased, name: $0.name, counts: .init(counted[$0.id.lowercased])) }
    }

    /// The departments an agent belongs to and those where they still hold tickets (kept when they leave a group):
    /// a manager opens their list only when managing all of them.
    public func departmentsShownByAgent(_ agent: UUID) async throws -> Set<String> {
        let held = try await counts.ticketDepartments(of: [agent])[agent.lowercased] ?? []
        return Set(try await memberships(of: agent).map(\.department.lowercased)).union(held)
    }

    /// The groups of the given departments (those a manager opens from My Departments).
    private func groups(ofDepartments departments: [UUID]) async throws -> [UUID] {
        guard !departments.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(departments)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT id FROM \(database.table("groups")) WHERE department_id = ANY($1)", binds: binds), logger: database.logger)
        var result: [UUID] = []
        for try await id in rows.decode(UUID.self) { result.append(id) }
        return result
    }

    private func names(_ table: String, ids: [UUID], extra: String?) async throws -> [(id: UUID, name: String, parent: UUID?)] {
        guard !ids.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(ids)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT id, name, \(extra ?? "NULL::uuid") FROM \(database.table(table)) WHERE id = ANY($1) ORDER BY lower(name), id", binds: binds),
            logger: database.logger)
        var result: [(UUID, String, UUID?)] = []
        for try await row in rows.decode((UUID, String, UUID?).self) { result.append(row) }
        return result
    }
}

/// A page of a list view with the view's Active/Waiting/Closed counts, as the view's tab headers show them.
public struct ViewPage: Codable, Sendable {
    public var items: [Ticket]
    public var nextCursor: String?
    /// The view's counts (for the Queue, its Active count), read from the maintained counts; nil for lists without
    /// counts (a customer's tickets, Recent, search results).
    public var counts: ViewTree.Counts?
    /// Visible Fields: the values of the custom fields the agent chose to show in the list, by ticket id and field id
    /// (nil when none were asked for).
    public var fieldValues: [String: [String: String]]?
    /// The page's tickets as the database keeps their JSON, answered in place of `items` (then empty): the lists agents
    /// read most (``TicketStore/viewPage(_:scope:caller:status:page:sort:written:)``). Not part of the `Codable` form:
    /// such a page is answered by ``write(to:)`` only (`JSONEncoder` would give it no items).
    public var written: WrittenTickets?

    enum CodingKeys: String, CodingKey {
        case items, nextCursor, counts, fieldValues
    }

    public init(items: [Ticket], nextCursor: String?, counts: ViewTree.Counts? = nil, fieldValues: [String: [String: String]]? = nil) {
        self.items = items
        self.nextCursor = nextCursor
        self.counts = counts
        self.fieldValues = fieldValues
    }

    public init(written: WrittenTickets, nextCursor: String?, counts: ViewTree.Counts?) {
        self.init(items: [], nextCursor: nextCursor, counts: counts)
        self.written = written
    }
}
