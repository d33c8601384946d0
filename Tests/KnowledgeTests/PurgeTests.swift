import Database
import Fleet
import Foundation
import HTTPTypes
import KnowledgeApp
import PostgresNIO
import Testing

@Suite("Purging deleted articles")
struct PurgeTests {
    @Test("An article deleted 90 days ago is purged with its event and leaves the index; one deleted recently stays findable as deleted")
    func purge() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let old = try #require(try await kit.article(client, brand: kit.brandA, title: "Old printer", body: "<p>printer</p>")["id"] as? String)
            let recent = try #require(try await kit.article(client, brand: kit.brandA, title: "Recent printer", body: "<p>printer</p>")["id"] as? String)
            let admin = try await kit.token(roles: ["Administrator"])
            for id in [old, recent] {
                let (deleted, _, _) = try await KnowledgeTestKit.send(client, .delete, "/api/v1/knowledge/articles/\(id)", brand: kit.brandA, token: admin)
                #expect(deleted == .noContent)
                try await kit.indexer.reindex(try #require(UUID(uuidString: id)))
            }
            var binds = PostgresBindings()
            binds.append(UUID(uuidString: old))
            try await kit.database.client.query(
                PostgresQuery(unsafeSQL: "UPDATE \(kit.database.table("articles")) SET deleted_at = now() - interval '91 days' WHERE id = $1", binds: binds),
                logger: kit.database.logger
            ).consume()

            #expect(try await kit.api.store.purgeDeleted(before: Date().addingTimeInterval(-ArticleStore.purgeAfter)) == 1)
            #expect(try await kit.api.store.find(try #require(UUID(uuidString: old)), includingDeleted: true) == nil)
            #expect(try await kit.api.store.find(try #require(UUID(uuidString: recent)), includingDeleted: true) != nil)
            let events = try await kit.database.client.query(
                PostgresQuery(unsafeSQL: #"SELECT count(*) FROM \#(kit.database.table("outbox")) WHERE convert_from(payload, 'UTF8') LIKE '%"knowledge.article_purged"%'"#),
                logger: kit.database.logger)
            for try await count in events.decode(Int.self) { #expect(count == 1) }

            try await kit.indexer.reindex(try #require(UUID(uuidString: old)))
            let (_, _, found) = try await KnowledgeTestKit.send(
                client, .get, "/api/v1/knowledge/search?q=printer&include=deleted", brand: kit.brandA, token: admin)
            #expect((KnowledgeTestKit.json(found)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [recent])
        }
    }
}
