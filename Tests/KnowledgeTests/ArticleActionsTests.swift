import Database
import Foundation
import HTTPTypes
import KnowledgeApp
import PostgresNIO
import Testing

@Suite("Article actions, views and stale dates")
struct ArticleActionsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func article(staleAt: Date) throws -> Article {
        var article = try ArticleRules.article(
            from: ArticleInput(title: "Reset a password", bodyHTML: "<p>Steps</p>", isPrivate: true, isDraft: true, review: .review, staleAt: staleAt),
            id: UUID().uuidString.lowercased(), brandID: UUID().uuidString.lowercased(), existing: nil, now: now)
        article.version = 3
        return article
    }

    @Test("Marks set the documented flags; Reviewed clears Review and restarts the stale date; each action names its permission")
    func marksAndPermissions() throws {
        let article = try Self.article(staleAt: Self.now)
        let published = ArticleActions.apply(.mark(.public), to: article, staleAfterDays: 365, now: Self.now)
        #expect(!published.isPrivate && !published.isDraft && published.version == 4)
        let reviewed = ArticleActions.apply(.mark(.reviewed), to: article, staleAfterDays: 30, now: Self.now)
        #expect(reviewed.review == .reviewed && reviewed.reviewedAt == Self.now)
        #expect(reviewed.staleAt == Self.now.addingTimeInterval(30 * 86_400))
        #expect(ArticleActions.isStale(article, now: Self.now) && !ArticleActions.isStale(reviewed, now: Self.now))
        #expect(ArticleAction.mark(.reviewed).permission == "Review")
        #expect(ArticleAction.mark(.draft).permission == "Mark")
        #expect(ArticleAction.delete.permission == "Delete")
        #expect(ArticleAction.move(folderID: nil).permission == "Move")

        let copy = ArticleActions.copy(of: article, id: "new", folderID: nil, asDraft: true, staleAfterDays: 365, now: Self.now)
        #expect(copy.id == "new" && copy.version == 1 && copy.review == ReviewState.none && copy.isDraft && copy.title == article.title)
    }

    @Test("A bad action request is one 422 listing every problem")
    func badRequests() {
        #expect(throws: (any Error).self) { try ArticleActions.action(named: "mark", mark: "shiny", folderID: nil, agentID: nil, ids: ["x"]) }
        #expect(throws: (any Error).self) { try ArticleActions.action(named: "explode", mark: nil, folderID: nil, agentID: nil, ids: [UUID().uuidString]) }
        #expect(throws: (any Error).self) {
            try ArticleActions.action(named: "move", mark: nil, folderID: nil, agentID: nil, ids: (0...100).map { _ in UUID().uuidString })
        }
    }

    @Test("Move, copy, transfer, mark and clone through the API change every selected article, publish events, and fill the views")
    func bulkActionsThroughTheAPI() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let first = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>a</p>")["id"] as? String)
            let second = try #require(try await kit.article(client, brand: kit.brandA, title: "Scanner setup", body: "<p>b</p>")["id"] as? String)
            let agent = UUID()
            let token = try await kit.token(userID: agent)
            let (_, _, folderText) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/folders", brand: kit.brandA, token: token, body: #"{"name":"Hardware"}"#)
            let folder = try #require(KnowledgeTestKit.json(folderText)["id"] as? String)

            func act(_ body: String, token: String) async throws -> (Int, [[String: Any]]) {
                let (status, _, text) = try await KnowledgeTestKit.send(client, .post, "/api/v1/knowledge/articles/actions", brand: kit.brandA, token: token, body: body)
                return (status.code, KnowledgeTestKit.json(text)["items"] as? [[String: Any]] ?? [])
            }
            let ids = #"["\#(first)","\#(second)"]"#
            let (moved, movedItems) = try await act(#"{"action":"move","ids":\#(ids),"folderID":"\#(folder)"}"#, token: token)
            #expect(moved == 200 && movedItems.allSatisfy { $0["folderID"] as? String == folder })
            let (_, copies) = try await act(#"{"action":"copy","ids":["\#(first)"]}"#, token: token)
            #expect(copies.count == 1 && copies.first?["id"] as? String != first && copies.first?["title"] as? String == "Printer setup")
            let (_, transferred) = try await act(#"{"action":"transfer","ids":\#(ids),"agentID":"\#(agent.uuidString)"}"#, token: token)
            #expect(transferred.allSatisfy { $0["assignedAgentID"] as? String == agent.uuidString.lowercased() })
            let (_, drafts) = try await act(#"{"action":"mark","ids":["\#(second)"],"mark":"draft"}"#, token: token)
            #expect(drafts.first?["isDraft"] as? Bool == true)
            let (_, stale) = try await act(#"{"action":"mark","ids":["\#(first)"],"mark":"stale"}"#, token: token)
            #expect(stale.count == 1)

            func view(_ query: String) async throws -> [String] {
                let (_, _, text) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles?\(query)", brand: kit.brandA, token: token)
                return (KnowledgeTestKit.json(text)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            }
            #expect(try await view("view=drafts") == [second])
            #expect(try await view("view=stale") == [first])
            #expect(Set(try await view("assignedTo=me")) == [first, second])
            let (_, fresh) = try await act(#"{"action":"mark","ids":["\#(first)"],"mark":"reviewed"}"#, token: token)
            #expect(fresh.first?["review"] as? String == "reviewed")
            #expect(try await view("view=stale").isEmpty, "reviewing restarts the stale date")

            let (cloned, _, cloneText) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/articles/\(first)/clone", brand: kit.brandA, token: token)
            let clone = KnowledgeTestKit.json(cloneText)
            #expect(cloned == .created && clone["isDraft"] as? Bool == true && clone["folderID"] as? String == folder)

            let (refused, _) = try await act(#"{"action":"delete","ids":["\#(first)"]}"#, token: token)
            #expect(refused == 403, "agents may not delete articles by default")
            let (missing, _) = try await act(#"{"action":"mark","ids":["\#(first)","\#(UUID().uuidString)"],"mark":"private"}"#, token: token)
            #expect(missing == 404)
            #expect(try await kit.api.store.find(try #require(UUID(uuidString: first)))?.isPrivate == false, "a failed selection changes nothing")

            let events = try await kit.database.client.query(
                PostgresQuery(unsafeSQL: #"SELECT count(*) FROM \#(kit.database.table("outbox")) WHERE convert_from(payload, 'UTF8') LIKE '%"knowledge.article_updated"%'"#),
                logger: kit.database.logger)
            for try await count in events.decode(Int.self) { #expect(count == 7, "two moves, two transfers, draft, stale, reviewed; nothing for the refused ones") }
        }
    }

    @Test("An article past its stale date is announced once as knowledge.article_stale; a fresh stale date is announced again when reached")
    func staleArticlesAreAnnouncedOnce() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let id = try #require(try await kit.article(client, brand: kit.brandA, title: "Old policy", body: "<p>a</p>")["id"] as? String)
            _ = try await kit.article(client, brand: kit.brandA, title: "New policy", body: "<p>b</p>")
            let token = try await kit.token()
            func mark(_ mark: String) async throws {
                let (status, _, _) = try await KnowledgeTestKit.send(
                    client, .post, "/api/v1/knowledge/articles/actions", brand: kit.brandA, token: token, body: #"{"action":"mark","ids":["\#(id)"],"mark":"\#(mark)"}"#)
                #expect(status == .ok)
            }
            func announced() async throws -> Int {
                let rows = try await kit.database.client.query(
                    PostgresQuery(unsafeSQL: #"SELECT count(*) FROM \#(kit.database.table("outbox")) WHERE convert_from(payload, 'UTF8') LIKE '%"knowledge.article_stale"%'"#),
                    logger: kit.database.logger)
                for try await count in rows.decode(Int.self) { return count }
                return 0
            }
            #expect(try await kit.api.store.announceStale() == 0, "new articles are fresh for a year")
            try await mark("stale")
            #expect(try await kit.api.store.announceStale() == 1)
            #expect(try await kit.api.store.announceStale() == 0, "announced once")
            #expect(try await announced() == 1)

            try await mark("fresh")
            let articleID = try #require(UUID(uuidString: id))
            let stored = try #require(try await kit.api.store.find(articleID))
            #expect((stored.staleAt ?? .distantPast) > Date().addingTimeInterval(364 * 86_400))
            #expect(try await kit.api.store.announceStale(now: Date().addingTimeInterval(366 * 86_400)) == 2, "both reach their dates a year on")
            #expect(try await announced() == 3)
        }
    }
}
