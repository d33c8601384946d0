import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import KnowledgeApp
import PostgresNIO
import Testing
import TestSupport

@Suite("The stale-after setting, for articles and canned replies", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct StaleSettingTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400

    @Test("Checking the Stale box makes a canned reply stale now; unchecking a stale one restarts its date; editing keeps it")
    func staleBox() {
        let later = Self.now.addingTimeInterval(10 * Self.day)
        let past = Self.now.addingTimeInterval(-Self.day)
        #expect(CannedReplyRules.staleDate(stale: nil, existing: nil, now: Self.now, staleAfterDays: 30) == Self.now.addingTimeInterval(30 * Self.day))
        #expect(CannedReplyRules.staleDate(stale: true, existing: later, now: Self.now, staleAfterDays: 30) == Self.now)
        #expect(CannedReplyRules.staleDate(stale: true, existing: past, now: Self.now, staleAfterDays: 30) == past)
        #expect(CannedReplyRules.staleDate(stale: false, existing: past, now: Self.now, staleAfterDays: 30) == Self.now.addingTimeInterval(30 * Self.day))
        #expect(CannedReplyRules.staleDate(stale: false, existing: later, now: Self.now, staleAfterDays: 30) == later)
        #expect(CannedReplyRules.staleDate(stale: nil, existing: later, now: Self.now, staleAfterDays: 30) == later)
    }

    /// Delivers `management_settings.changed` as identity publishes it.
    static func settingsChanged(_ kit: KnowledgeTestKit, staleAfterDays: Int, version: Int) async throws {
        var settings = ManagementSettings()
        settings.staleAfterDays = staleAfterDays
        let bytes = try CloudEventCoding.encode(CloudEvent(
            source: "identity", type: SettingsEventType.managementChanged, subject: "management", brandid: nil,
            data: VersionedSettings(settings: settings, version: version)))
        try await kit.database.transaction { connection in
            try await kit.api.directory.apply(SettingsEventType.managementChanged, bytes, on: connection)
        }
    }

    static func staleDate(_ kit: KnowledgeTestKit, table: String, id: String) async throws -> Date {
        var binds = PostgresBindings()
        binds.append(UUID(uuidString: id))
        let rows = try await kit.database.client.query(
            PostgresQuery(unsafeSQL: "SELECT stale_at FROM \(kit.database.table(table)) WHERE id = $1", binds: binds))
        var found: Date?
        for try await date in rows.decode(Date.self) { found = date }
        return try #require(found, "no \(table) row \(id)")
    }

    @Test("A shorter period from identity moves every date not yet reached, new items use it, and an older event changes nothing")
    func settingFromIdentity() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let article = try #require(try await kit.article(client, brand: kit.brandA, title: "Printer setup", body: "<p>a</p>")["id"] as? String)
            let agent = try await kit.token()
            let (_, _, replyText) = try await KnowledgeTestKit.send(
                client, .post, "/api/v1/knowledge/canned-replies", brand: nil, token: agent, body: #"{"title":"Greeting","bodyHTML":"<p>Hi</p>"}"#)
            let reply = try #require(KnowledgeTestKit.json(replyText)["id"] as? String)
            let articleBefore = try await Self.staleDate(kit, table: "articles", id: article)
            let replyBefore = try await Self.staleDate(kit, table: "canned_replies", id: reply)
            #expect(abs(articleBefore.timeIntervalSinceNow - 365 * Self.day) < 60, "new items go stale after the default 365 days")
            #expect(abs(replyBefore.timeIntervalSinceNow - 365 * Self.day) < 60)

            try await Self.settingsChanged(kit, staleAfterDays: 30, version: 2)
            #expect(try await Self.staleDate(kit, table: "articles", id: article) == articleBefore.addingTimeInterval(-335 * Self.day))
            #expect(try await Self.staleDate(kit, table: "canned_replies", id: reply) == replyBefore.addingTimeInterval(-335 * Self.day))
            let later = try #require(try await kit.article(client, brand: kit.brandA, title: "Scanner setup", body: "<p>b</p>")["id"] as? String)
            #expect(abs(try await Self.staleDate(kit, table: "articles", id: later).timeIntervalSinceNow - 30 * Self.day) < 60)

            try await Self.settingsChanged(kit, staleAfterDays: 365, version: 1)
            #expect(try await Self.staleDate(kit, table: "articles", id: article) == articleBefore.addingTimeInterval(-335 * Self.day),
                    "a replayed older version is ignored")
            try await Self.settingsChanged(kit, staleAfterDays: 1, version: 3)
            try await Self.settingsChanged(kit, staleAfterDays: 400, version: 4)
            #expect(try await Self.staleDate(kit, table: "articles", id: article) == articleBefore.addingTimeInterval(35 * Self.day),
                    "dates not yet reached follow every change")
        }
    }

    @Test("The canned replies' Stale view lists checked replies; unchecking restarts the date from the current setting")
    func cannedStaleView() async throws {
        try await KnowledgeTestKit.run { client, kit in
            try await Self.settingsChanged(kit, staleAfterDays: 10, version: 2)
            let agent = try await kit.token()
            func send(_ method: HTTPRequest.Method, _ path: String, _ body: String = "", headers: HTTPFields = [:]) async throws -> (HTTPResponse.Status, [String: Any]) {
                let (status, _, text) = try await KnowledgeTestKit.send(client, method, path, brand: nil, token: agent, body: body, headers: headers)
                return (status, KnowledgeTestKit.json(text))
            }
            let (_, first) = try await send(.post, "/api/v1/knowledge/canned-replies", #"{"title":"Greeting","bodyHTML":"<p>Hi</p>"}"#)
            _ = try await send(.post, "/api/v1/knowledge/canned-replies", #"{"title":"Farewell","bodyHTML":"<p>Bye</p>"}"#)
            let id = try #require(first["id"] as? String)
            let (_, none) = try await send(.get, "/api/v1/knowledge/canned-replies?view=stale")
            #expect((none["items"] as? [Any])?.isEmpty == true)
            let (marked, _) = try await send(
                .put, "/api/v1/knowledge/canned-replies/\(id)", #"{"title":"Greeting","bodyHTML":"<p>Hi</p>","stale":true}"#, headers: [.ifMatch: "\"1\""])
            #expect(marked == .ok)
            let (_, stale) = try await send(.get, "/api/v1/knowledge/canned-replies?view=stale")
            #expect((stale["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Greeting"])
            let (reviewed, _) = try await send(
                .put, "/api/v1/knowledge/canned-replies/\(id)", #"{"title":"Greeting","bodyHTML":"<p>Hello</p>","stale":false}"#, headers: [.ifMatch: "\"2\""])
            #expect(reviewed == .ok)
            #expect(abs(try await Self.staleDate(kit, table: "canned_replies", id: id).timeIntervalSinceNow - 10 * Self.day) < 60)
            let (_, after) = try await send(.get, "/api/v1/knowledge/canned-replies?view=stale")
            #expect((after["items"] as? [Any])?.isEmpty == true)
            let (bad, _) = try await send(.get, "/api/v1/knowledge/canned-replies?view=old")
            #expect(bad == .badRequest)
        }
    }
}
