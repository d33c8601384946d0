import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import ServiceKit
import Testing
import TestSupport
@testable import TicketsApp

@Suite("List pages kept between requests", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct ViewPageCacheTests {
    /// Two tickets in the front-line group (its agent holds them) and one in a second group, with the administrator's
    /// token and the paths of the front-line group's Active page and of All Tickets.
    struct Scene {
        let admin: String
        /// The front-line agent's token; they hold its tickets.
        let agent: String
        let frontLine: [String]
        let second: String
        let secondGroup: UUID
        let groupPage: String
        let allPage = "/api/v1/tickets?view=all&status=active"
    }

    static func scene(_ client: any TestClientProtocol, _ kit: TicketTestKit) async throws -> Scene {
        let agent = try await kit.agent()
        let other = try await kit.secondGroupAgent()
        let customer = try await kit.customer()
        var frontLine: [String] = []
        for subject in ["Printer", "Scanner"] {
            frontLine.append(try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String))
        }
        let second = try #require(try await kit.submit(client, token: customer.token, subject: "Router")["id"] as? String)
        let admin = try await kit.administratorToken()
        let (moved, _, _) = try await TicketTestKit.send(
            client, .post, "/api/v1/tickets/\(second)/transfer", token: admin, body: #"{"groupID":"\#(other.group.lowercased)"}"#)
        #expect(moved == .ok)
        return Scene(
            admin: admin, agent: try await kit.token(agent, roles: ["Agent"]), frontLine: frontLine, second: second, secondGroup: other.group,
            groupPage: "/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)&status=active")
    }

    /// The subjects of a page, in its order.
    static func subjects(
        _ client: any TestClientProtocol, _ path: String, token: String, fresh: Bool = false
    ) async throws -> [String] {
        let (status, _, page) = try await TicketTestKit.send(
            client, .get, path, token: token, headers: fresh ? [.cacheControl: "no-cache"] : [:])
        #expect(status == .ok)
        return ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["subject"] as? String }
    }

    /// Runs `body` while the change listener runs, once the pages at `paths` are kept.
    static func withPagesKept(
        _ paths: [String], _ client: any TestClientProtocol, _ kit: TicketTestKit, token: String, _ body: () async throws -> Void
    ) async throws {
        try await kit.withChangeListener {
            try await kit.eventually("the listener connects and the pages are kept") {
                for path in paths { _ = try await subjects(client, path, token: token) }
                return kit.api.store.viewPages.count == paths.count
            }
            try await body()
        }
    }

    /// Runs `body` while updates of tickets notify nobody: what changes then, only a read of PostgreSQL sees.
    static func unannounced(_ kit: TicketTestKit, _ body: () async throws -> Void) async throws {
        _ = try await kit.count("ALTER TABLE {schema}.tickets DISABLE TRIGGER tickets_updated_lists")
        try await body()
        _ = try await kit.count("ALTER TABLE {schema}.tickets ENABLE TRIGGER tickets_updated_lists")
    }

    @Test("A group's page is kept until a ticket of that group changes, or leaves it; a change in another group leaves it")
    func keptUntilItsGroupChanges() async throws {
        try await TicketTestKit.run(countsKept: false) { client, kit in
            let scene = try await Self.scene(client, kit)
            try await Self.withPagesKept([scene.groupPage], client, kit, token: scene.admin) {
                let cache = kit.api.store.viewPages
                _ = try await kit.count("UPDATE {schema}.tickets SET priority = 2 WHERE id = '\(scene.second)' RETURNING 0")
                _ = try await kit.count("UPDATE {schema}.tickets SET counts_toward_max = counts_toward_max WHERE id = '\(scene.frontLine[0])' RETURNING 0")
                try await Task.sleep(for: .milliseconds(300))
                #expect(cache.count == 1, "the second group's change names another group; an update that changes nothing shown names none")

                let (_, _, first) = try await TicketTestKit.send(client, .get, scene.groupPage + "&limit=1", token: scene.admin)
                let cursor = try #require(first["nextCursor"] as? String)
                _ = try await Self.subjects(client, scene.groupPage + "&limit=1&cursor=\(cursor)", token: scene.admin)
                #expect(cache.count == 2, "a first page of another size is kept, a later page is not")

                _ = try await kit.count("UPDATE {schema}.tickets SET subject = 'Printer on fire' WHERE id = '\(scene.frontLine[0])' RETURNING 0")
                try await kit.eventually("the renamed ticket shows in the group's page") {
                    try await Self.subjects(client, scene.groupPage, token: scene.admin).contains("Printer on fire")
                }

                // Moved by hand (the counts are left behind): the change names the group the ticket left.
                _ = try await kit.count("UPDATE {schema}.tickets SET group_id = '\(scene.secondGroup.lowercased)' WHERE id = '\(scene.frontLine[1])' RETURNING 0")
                try await kit.eventually("a ticket that left the group is gone from its page") {
                    try await Self.subjects(client, scene.groupPage, token: scene.admin) == ["Printer on fire"]
                }
            }
        }
    }

    @Test("A kept page is answered without reading PostgreSQL, and Cache-Control: no-cache reads it again")
    func noCacheReadsAgain() async throws {
        try await TicketTestKit.run { client, kit in
            let scene = try await Self.scene(client, kit)
            try await Self.withPagesKept([scene.groupPage], client, kit, token: scene.admin) {
                try await Self.unannounced(kit) {
                    _ = try await kit.count("UPDATE {schema}.tickets SET subject = 'Unannounced' WHERE id = '\(scene.frontLine[1])' RETURNING 0")
                    try await Task.sleep(for: .milliseconds(300))
                    #expect(try await Self.subjects(client, scene.groupPage, token: scene.admin).contains("Scanner"), "the kept page")
                    #expect(try await Self.subjects(client, scene.groupPage, token: scene.admin, fresh: true).contains("Unannounced"))
                    #expect(try await Self.subjects(client, scene.groupPage, token: scene.admin).contains("Unannounced"), "the fresh read is kept")
                }
            }
        }
    }

    @Test("A change made through this process is in its next page at once, without waiting for the notification")
    func ownChangesAtOnce() async throws {
        try await TicketTestKit.run { client, kit in
            let scene = try await Self.scene(client, kit)
            try await Self.withPagesKept([scene.groupPage], client, kit, token: scene.admin) {
                try await Self.unannounced(kit) {
                    let (status, _, _) = try await TicketTestKit.send(
                        client, .post, "/api/v1/tickets/\(scene.frontLine[0])/replies", token: scene.agent, body: #"{"body":"On it.","sendVariant":"waiting"}"#)
                    #expect(status == .created)
                    #expect(try await Self.subjects(client, scene.groupPage, token: scene.admin) == ["Scanner"])
                }
            }
        }
    }

    @Test("All Tickets of those who see everything is dropped by a change in any brand; a group's page only by its own")
    func everyBrandsPage() async throws {
        try await TicketTestKit.run { client, kit in
            let scene = try await Self.scene(client, kit)
            try await Self.withPagesKept([scene.groupPage, scene.allPage], client, kit, token: scene.admin) {
                let cache = kit.api.store.viewPages
                _ = try await kit.count("UPDATE {schema}.tickets SET subject = 'Router down' WHERE id = '\(scene.second)' RETURNING 0")
                try await kit.eventually("All Tickets is read again") {
                    try await Self.subjects(client, scene.allPage, token: scene.admin).contains("Router down")
                }
                #expect(try await Self.subjects(client, scene.groupPage, token: scene.admin).sorted() == ["Printer", "Scanner"])
                #expect(cache.count == 2)
            }
        }
    }
}

@Suite("Requests that drop the kept list pages")
struct ViewPagesAfterWritesTests {
    @Test("Writes drop them; reads, drafts, opening a ticket and uploads do not")
    func whichRequests() {
        let mayChange = { (method: HTTPRequest.Method, path: String) in ViewPagesAfterWrites<ServiceRequestContext>.mayChangeTickets(method, path: path) }
        #expect(!mayChange(.get, "/api/v1/tickets?view=mine"))
        #expect(mayChange(.post, "/api/v1/tickets/5b0c/replies"))
        #expect(mayChange(.put, "/api/v1/tickets/5b0c/status"))
        #expect(mayChange(.delete, "/api/v1/tickets/5b0c"))
        #expect(mayChange(.delete, "/api/v1/tickets/5b0c/views/9a1e"), "closing a view may log time")
        #expect(!mayChange(.put, "/api/v1/tickets/5b0c/draft"))
        #expect(!mayChange(.delete, "/api/v1/tickets/5b0c/draft"))
        #expect(!mayChange(.post, "/api/v1/tickets/5b0c/views"))
        #expect(!mayChange(.post, "/api/v1/tickets/uploads"))
    }
}
