import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

extension TicketStore {
    /// A list view's page with the counts its tab headers show.
    public func viewPage(_ view: TicketView, scope: UUID?, caller: TicketCaller, status: TicketStatus?, page: PageRequest) async throws -> ViewPage {
        switch view {
        case .mine, .group, .department, .brand:
            let found = try await scopedPage(view, scope: scope, caller: caller, status: status, page: page)
            return ViewPage(items: found.page.items, nextCursor: found.page.nextCursor, counts: found.counts)
        case .queue:
            let found = try await list(view, scope: scope, caller: caller, status: status, page: page)
            return ViewPage(items: found.items, nextCursor: found.nextCursor, counts: try await queueCounts(caller))
        case .customer, .recent, .recentlyTransferred:
            let found = try await list(view, scope: scope, caller: caller, status: status, page: page)
            return ViewPage(items: found.items, nextCursor: found.nextCursor)
        }
    }

    /// The Queue's Active count over the caller's groups (over every group for those who see everything).
    private func queueCounts(_ caller: TicketCaller) async throws -> ViewTree.Counts {
        if caller.seesEverything { return ViewTree.Counts(["active": try await counts.totals(scope: "queue")["active"] ?? 0]) }
        let queues = try await counts.counts(scope: "queue", ids: caller.groups.compactMap(UUID.init(uuidString:)))
        return ViewTree.Counts(["active": queues.values.reduce(0) { $0 + ($1["active"] ?? 0) }])
    }

    /// The agent's own list or a group's, department's or brand's, sorted by priority and then the longest idle, with its
    /// Active/Waiting/Closed counts: one prepared statement (``ScopedViewStatement``), so a page costs one round trip
    /// and no planning.
    func scopedPage(
        _ view: TicketView, scope: UUID?, caller: TicketCaller, status: TicketStatus?, page: PageRequest
    ) async throws -> (page: Page<Ticket>, counts: ViewTree.Counts?) {
        guard let id = view == .mine ? UUID(uuidString: caller.principal.userID) : scope else { return (Page(items: [], nextCursor: nil), nil) }
        var binds = PostgresBindings()
        binds.append(id)
        binds.append((status ?? .active).rawValue)
        try KeysetCursor.append(page.cursor, as: [.integer, .timestamp, .uuid], to: &binds)
        binds.append(page.limit + 1)
        let scope: ScopedViewStatement.Scope = switch view {
        case .group: .group
        case .department: .department
        case .brand: .brand
        case .mine, .queue, .customer, .recent, .recentlyTransferred: .agent
        }
        let statement = ScopedViewStatement(scope: scope, binds: binds)
        var found: [Ticket] = []
        var counts: ViewTree.Counts?
        for try await row in try await statement.run(on: database) {
            if counts == nil {
                let columns = row.makeRandomAccess()
                var first = ViewTree.Counts(nil)
                first.active = try columns[Self.columnCount].decode(Int.self)
                first.waiting = try columns[Self.columnCount + 1].decode(Int.self)
                first.closed = try columns[Self.columnCount + 2].decode(Int.self)
                counts = first
            }
            // An empty page is one row of counts with NULL ticket columns.
            if try row.decode(UUID?.self) != nil { found.append(try decodeTicket(row)) }
        }
        let items = Page.from(fetched: found, limit: page.limit) { [String($0.priority.rank), KeysetTimestamp($0.idleSince).cursorKey, $0.id] }
        return (items, counts ?? ViewTree.Counts(nil))
    }
}
