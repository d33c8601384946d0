import Contracts
import Database
import Foundation
import ServiceKit

/// The pages agents ask for most (the first page of an agent's, group's, department's or brand's list or All Tickets
/// in the standard order, as ``ScopedViewStatement`` writes them in JSON), kept by each tickets process until a
/// ticket or a count of their scope changes: migration 176's triggers (177's for updates) notify
/// ``channel(schema:)`` with the `scope:id` of every agent, group, department and brand a statement touched (before
/// and after), and the tickets executable runs the ``ChangeListener`` that drops the pages tagged with them. A page
/// asked for again while nothing in its scope changed costs no round trip to PostgreSQL; a page is as fresh as the
/// last notification this process received. `Cache-Control: no-cache` on the request reads it again
/// (``TicketController``), and a request of this process that may have changed tickets drops them all
/// (``ViewPagesAfterWrites``).
public struct ViewPageCache: Sendable {
    /// What a first page's statement reads: its scope and ids (nil: every brand), its status and size.
    struct Key: Hashable, Sendable {
        var scope: ScopedViewStatement.Scope
        var ids: [UUID]?
        var status: TicketStatus
        var limit: Int
    }

    let pages: TaggedNotifiedCache<Key, ViewPage>

    /// The pages kept unless `CONCIERGE_TICKETS_VIEW_PAGES` says otherwise.
    public static let defaultCapacity = 1_000

    /// At most `capacity` pages (0: none kept); a page of 50 tickets is about 50 KB, of 200 (the largest) four times that.
    public init(capacity: Int) {
        pages = TaggedNotifiedCache(capacity: capacity)
    }

    /// The tags a page of `scope` over `ids` is kept under: those of its scope ids, or every brand's.
    static func tags(_ scope: ScopedViewStatement.Scope, ids: [UUID]?) -> [String] {
        guard let ids else { return ["\(scope.single.rawValue):*"] }
        return ids.map { "\(scope.single.rawValue):\($0.lowercased)" }
    }

    /// Drops every page kept: a request of this process may have changed any of them (``ViewPagesAfterWrites``).
    func dropAll() { pages.changed() }

    /// The caches a listener on ``channel(schema:)`` tells.
    public var caches: [any ChangeNotified] { [pages] }

    /// How many pages are kept (for tests).
    public var count: Int { pages.count }

    public static func channel(schema: String) -> String { ChangeListener.channel(schema: schema, topic: "lists") }
}
