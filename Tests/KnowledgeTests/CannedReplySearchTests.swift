import Fleet
import Foundation
import HTTPTypes
import HummingbirdTesting
import KnowledgeApp
import Search
import Testing
import TestSupport

@Suite("Canned reply search ranked by the index, with who may use a reply inside the query", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct CannedReplySearchTests {
    @Test("An agent's query ORs everyone's, their own and their departments' replies; drafts and deleted ones are excluded unless asked")
    func queryFilters() {
        let caller = CannedCaller(userID: "me", departmentIDs: ["d2", "d1"], seesAll: false)
        let query = CannedReplySearchTerms.query("refund", caller: caller, CannedReplyFilter(channel: .chat), limit: 20)
        #expect(query.filterGroups == [
            [CannedReplySearchTerms.everyone, CannedReplySearchTerms.agent("me"), CannedReplySearchTerms.department("d1"), CannedReplySearchTerms.department("d2")],
            [CannedReplySearchTerms.type(.ticketsAndChats), CannedReplySearchTerms.type(.chats)],
        ])
        #expect(query.excluded == [CannedReplySearchTerms.deleted, CannedReplySearchTerms.draft])
        let administrator = CannedCaller(userID: "admin", departmentIDs: [], seesAll: true)
        #expect(CannedReplySearchTerms.query("x", caller: administrator, CannedReplyFilter(includeDrafts: true), limit: 20).filterGroups.isEmpty)
    }

    @Test("A stemmed word finds a reply SQL matching would miss, title matches rank first, and another agent's personal reply is never found")
    func rankedAndVisible() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let alice = try await kit.token()
            let bobID = UUID()
            let bob = try await kit.token(userID: bobID)
            var ids: [String] = []
            for (token, fields) in [
                (alice, ["title": "Refund policy", "bodyHTML": "<p>Thirty days.</p>"]),
                (alice, ["title": "Shipping delays", "bodyHTML": "<p>Refunds follow the return.</p>"]),
                (bob, ["title": "Bob's refund note", "bodyHTML": "<p>Personal.</p>", "assignedTo": ["type": "agent", "id": bobID.uuidString.lowercased()]]),
                (alice, ["title": "Refund draft", "bodyHTML": "<p>Later.</p>", "isDraft": true]),
            ] as [(String, [String: Any])] {
                ids.append(try await CannedReplyTests.create(client, token: token, fields))
            }
            for id in ids.compactMap(UUID.init(uuidString:)) { try await kit.cannedIndexer.reindex(id) }
            let (_, _, found) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/canned-replies?q=refunds", brand: nil, token: alice)
            #expect((KnowledgeTestKit.json(found)["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Refund policy", "Shipping delays"])
            let (_, _, withDrafts) = try await KnowledgeTestKit.send(
                client, .get, "/api/v1/knowledge/canned-replies?q=refund&includeDrafts=true", brand: nil, token: alice)
            #expect((KnowledgeTestKit.json(withDrafts)["items"] as? [[String: Any]])?.count == 3)
            let (_, _, bobs) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/canned-replies?q=personal&mine=true", brand: nil, token: bob)
            #expect((KnowledgeTestKit.json(bobs)["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Bob's refund note"])
        }
    }
}
