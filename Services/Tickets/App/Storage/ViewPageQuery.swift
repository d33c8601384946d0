import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

extension TicketStore {
    /// A list view's page with the counts its tab headers show; `sort` orders the agents', group, department and brand
    /// lists and the Queue (the others keep their own order). `written`: an agent's, group's, department's or brand's
    /// list or All Tickets in the standard order comes as the JSON the tickets' rows keep (``ViewPage/written``).
    /// `fresh`: a written page is read from PostgreSQL even when this process keeps it (``ViewPageCache``).
    public func viewPage(
        _ view: TicketView, scope: UUID?, caller: TicketCaller, status: TicketStatus?, page: PageRequest, sort: ViewSort = .standard,
        written: Bool = false, fresh: Bool = false
    ) async throws -> ViewPage {
        switch view {
        case .mine, .agent, .group, .department, .brand, .all:
            if written && sort == .standard {
                return try await writtenViewPage(view, scope: scope, caller: caller, status: status, page: page, fresh: fresh)
            }
            let found = try await scopedPage(view, scope: scope, caller: caller, status: status, page: page, sort: sort)
            return ViewPage(items: found.page.items, nextCursor: found.page.nextCursor, counts: found.counts)
        case .queue:
            let found: Page<Ticket>
            if sort == .standard {
                found = try await list(view, scope: scope, caller: caller, status: status, page: page)
            } else {
                var binds = PostgresBindings()
                binds.append(Self.queueGroups(of: caller))
                found = try await sortedPage(.queue, binds: binds, status: status ?? .active, page: page, sort: sort).page
            }
            return ViewPage(items: found.items, nextCursor: found.nextCursor, counts: try await queueCounts(caller))
        case .customer, .recent, .recentlyTransferred, .followUps:
            let found = try await list(view, scope: scope, caller: caller, status: status, page: page)
            return ViewPage(items: found.items, nextCursor: found.nextCursor)
        }
    }

    /// The groups whose Queue the caller sees: theirs, or nil for every group (those who see everything); with a brand
    /// chosen, those of them in the brand.
    static func queueGroups(of caller: TicketCaller) -> [UUID]? {
        guard let brandGroups = caller.brandGroups else { return caller.seesEverything ? nil : caller.groups.compactMap(UUID.init(parsing:)) }
        return (caller.seesEverything ? brandGroups : caller.groups.intersection(brandGroups)).compactMap(UUID.init(parsing:))
    }

    /// The Queue's Active, Waiting and Closed counts over its groups (``queueGroups(of:)``).
    private func queueCounts(_ caller: TicketCaller) async throws -> ViewTree.Counts {
        guard let groups = Self.queueGroups(of: caller) else { return ViewTree.Counts(try await counts.totals(scope: "queue")) }
        return ViewTree.Counts(try await counts.totals(scope: "queue", ids: groups))
    }

    /// The ids of the groups of a brand's departments, lower case.
    public func groupIDs(ofBrand brand: UUID) async throws -> Set<String> {
        var binds = PostgresBindings()
        binds.append(brand)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT g.id FROM \(database.table("groups")) g JOIN \(database.table("departments")) d ON d.id = g.department_id WHERE d.brand_id = $1
                """, binds: binds), logger: database.logger)
        var result: Set<String> = []
        for try await id in rows.decode(UUID.self) { result.insert(id.lowercased) }
        return result
    }

    /// An agent's list (the caller's own, or `scope`'s), a group's, department's or brand's, or All Tickets, with its
    /// Active/Waiting/Closed counts: sorted by priority and then the longest idle, one prepared statement
    /// (``ScopedViewStatement``), so a page costs one round trip and no planning; in another order the agent chose,
    /// ``SortedViewStatement``.
    func scopedPage(
        _ view: TicketView, scope: UUID?, caller: TicketCaller, status: TicketStatus?, page: PageRequest, sort: ViewSort = .standard
    ) async throws -> (page: Page<Ticket>, counts: ViewTree.Counts?) {
        guard let (scoped, _, binds) = Self.scopeBinding(view, scope: scope, caller: caller) else { return (Page(items: [], nextCursor: nil), nil) }
        guard sort != .standard else {
            let rows = try await Self.standardOrder(scoped, binds: binds, status: status, page: page, writesJSON: false).run(on: database)
            let found = try await scopedRows(rows, countsAt: Self.columnCount, sortKeyAt: nil)
            let items = Page.from(fetched: found.tickets, limit: page.limit) {
                [String($0.priority.rank), KeysetTimestamp($0.idleSince).cursorKey, $0.id]
            }
            return (items, found.counts)
        }
        return try await sortedPage(.scope(scoped), binds: binds, status: status ?? .active, page: page, sort: sort)
    }

    /// A page of a list ``scopedPage`` reads, in its standard order, with the tickets' JSON written by the database
    /// (``TicketListJSON``): the page agents ask for most, answered without decoding its tickets, and (a first page)
    /// kept until its scope changes (``ViewPageCache``).
    private func writtenViewPage(
        _ view: TicketView, scope: UUID?, caller: TicketCaller, status: TicketStatus?, page: PageRequest, fresh: Bool
    ) async throws -> ViewPage {
        guard let (scoped, ids, binds) = Self.scopeBinding(view, scope: scope, caller: caller) else { return ViewPage(items: [], nextCursor: nil) }
        // The statement is built only for a read: a kept page answers without its bindings.
        let read = { try await writtenPage(try Self.standardOrder(scoped, binds: binds, status: status, page: page, writesJSON: true), page: page) }
        // Only first pages are kept: a client paging deep into a brand would otherwise fill the cache with pages
        // nobody asks for again.
        guard page.cursor == nil else { return try await read() }
        let key = ViewPageCache.Key(scope: scoped, ids: ids, status: status ?? .active, limit: page.limit)
        return try await viewPages.pages.value(for: key, tags: ViewPageCache.tags(scoped, ids: ids), fresh: fresh, load: read)
    }

    /// The page ``writtenViewPage`` reads with `statement`.
    private func writtenPage(_ statement: ScopedViewStatement, page: PageRequest) async throws -> ViewPage {
        let rows = try await statement.run(on: database)
        for try await row in rows {
            var cells = RowCells(row)
            var counts = ViewTree.Counts(nil)
            (counts.active, counts.waiting, counts.closed) = (try cells.int(), try cells.int(), try cells.int())
            let objects = try cells.bytes(), fetched = try cells.int()
            // A buffer of its own: the cell is a slice of what the connection read, which a kept page would hold.
            let written = WrittenTickets(objects: objects.map { ByteBuffer(bytes: $0.readableBytesView) } ?? ByteBuffer(), count: min(fetched, page.limit))
            // The ticket after the page's last only proves there is a next page.
            guard fetched > page.limit, let priority = try cells.optionalInt(), let idleSince = try cells.optionalDate(), let id = try cells.optionalUUID()
            else { return ViewPage(written: written, nextCursor: nil, counts: counts) }
            let cursor = Cursor(keys: [String(TicketPriority(rank: priority).rank), KeysetTimestamp(idleSince).cursorKey, id.lowercased])
            return ViewPage(written: written, nextCursor: cursor.encoded, counts: counts)
        }
        throw RowCellsError.noRow
    }

    /// The scope of an agent's, group's, department's or brand's list or All Tickets, its ids (nil: every brand) and
    /// its `$1`; nil when the list has nobody's id to read (an empty page).
    private static func scopeBinding(
        _ view: TicketView, scope: UUID?, caller: TicketCaller
    ) -> (scope: ScopedViewStatement.Scope, ids: [UUID]?, binds: PostgresBindings)? {
        var binds = PostgresBindings()
        if view == .all {
            // Those who see everything read every brand's list (NULL: each brand counted); managers each department's.
            let ids = caller.seesEverything ? nil : caller.ownManagedDepartments.compactMap(UUID.init(parsing:)).sorted { $0.uuidString < $1.uuidString }
            binds.append(ids)
            return (caller.seesEverything ? .brands : .departments, ids, binds)
        }
        guard let id = view == .mine ? UUID(parsing: caller.principal.userID) : scope else { return nil }
        binds.append(id)
        return switch view {
        case .group: (.group, [id], binds)
        case .department: (.department, [id], binds)
        case .brand: (.brand, [id], binds)
        case .mine, .agent, .all, .queue, .customer, .recent, .recentlyTransferred, .followUps: (.agent, [id], binds)
        }
    }

    /// The statement of a page of `status` (Active when nil) in the standard order, `binds` holding its `$1`.
    private static func standardOrder(
        _ scoped: ScopedViewStatement.Scope, binds: PostgresBindings, status: TicketStatus?, page: PageRequest, writesJSON: Bool
    ) throws -> ScopedViewStatement {
        var binds = binds
        let status = status ?? .active
        binds.append(status.rawValue)
        try KeysetCursor.append(page.cursor, as: [.integer, .timestamp, .uuid], to: &binds)
        binds.append(page.limit + 1)
        if let other = status.listedWith { binds.append(other.rawValue) }
        return ScopedViewStatement(
            scope: scoped, listsTwo: status.listedWith != nil, after: page.cursor != nil, writesJSON: writesJSON, binds: binds)
    }

    /// A page of `status` (and the status listed with it) in the order the agent chose (``SortedViewStatement``),
    /// `binds` holding the list's `$1`.
    private func sortedPage(
        _ target: SortedViewStatement.Target, binds: PostgresBindings, status: TicketStatus, page: PageRequest, sort: ViewSort
    ) async throws -> (page: Page<Ticket>, counts: ViewTree.Counts?) {
        var binds = binds
        binds.append(status.rawValue)
        // The cursor names its sort, so that one issued for another order is refused instead of read as this one's.
        let tag = "\(sort.key.rawValue).\(sort.order.rawValue)"
        var after: Cursor?
        if let keys = page.cursor?.keys {
            guard keys.first == tag else { throw Problem.badRequest("The cursor is not one this list issued; start again from the first page.") }
            after = Cursor(keys: Array(keys.dropFirst()))
        }
        var statement = SortedViewStatement(target: target, sort: sort, listsTwo: status.listedWith != nil)
        statement.followsCursor = after != nil && statement.indexOrdersPages
        try KeysetCursor.append(after, as: statement.cursorShape, to: &binds)
        binds.append(page.limit + 1)
        if let other = status.listedWith { binds.append(other.rawValue) }
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: statement.sql(schema: database.schema), binds: binds), logger: database.logger)
        let found = try await scopedRows(rows, countsAt: statement.countsAt, sortKeyAt: Self.columnCount + 1)
        guard found.tickets.count > page.limit, page.limit > 0 else { return (Page(items: found.tickets, nextCursor: nil), found.counts) }
        let last = found.tickets[page.limit - 1]
        let cursor = Cursor(keys: [tag, found.sortKeys[page.limit - 1], KeysetTimestamp(last.idleSince).cursorKey, last.id]).encoded
        return (Page(items: Array(found.tickets.prefix(page.limit)), nextCursor: cursor), found.counts)
    }

    /// A scoped page's tickets, the sort key each row carries at `sortKeyAt` (if any), and the counts every row carries
    /// from column `countsAt` (an empty page is one row of counts with NULL ticket columns; rows without counts: nil).
    private func scopedRows<Rows: AsyncSequence>(
        _ rows: Rows, countsAt: Int?, sortKeyAt: Int?
    ) async throws -> (tickets: [Ticket], sortKeys: [String], counts: ViewTree.Counts?) where Rows.Element == PostgresRow {
        var tickets: [Ticket] = []
        var sortKeys: [String] = []
        var counts: ViewTree.Counts?
        for try await row in rows {
            if counts == nil, let first = countsAt {
                let columns = row.makeRandomAccess()
                var read = ViewTree.Counts(nil)
                read.active = try columns[first].decode(Int.self)
                read.waiting = try columns[first + 1].decode(Int.self)
                read.closed = try columns[first + 2].decode(Int.self)
                counts = read
            }
            guard try row.decode(UUID?.self) != nil else { continue }
            tickets.append(try decodeTicket(row))
            if let sortKeyAt { sortKeys.append(try row.makeRandomAccess()[sortKeyAt].decode(String.self)) }
        }
        return (tickets, sortKeys, countsAt == nil ? nil : counts ?? ViewTree.Counts(nil))
    }
}
