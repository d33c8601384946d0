import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing
import TestSupport
import TicketsApp

@Suite("Delete Raw Content After: raw emails past their retention", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct RawContentRetentionTests {
    @Test("The documented limits are 30 days, 25,000 files and 10,000 MB, each at least 1")
    func rules() throws {
        let retention = RawContentRetention()
        #expect(retention.days == 30 && retention.files == 25_000 && retention.megabytes == 10_000)
        #expect(retention.bytes == 10_000 * 1_048_576)
        let now = Date()
        #expect(retention.cutoff(now: now) == now.addingTimeInterval(-30 * 86_400))
        try RawContentRetention.validate(retention)
        var none = retention
        none.files = 0
        none.days = 0
        #expect(throws: (any Error).self) { try RawContentRetention.validate(none) }
    }

    /// Opens a ticket from an email of `rawBytes` bytes (with `html` as its body) and answers its message's id.
    static func emailed(_ kit: TicketTestKit, rawBytes: Int, html: String? = nil) async throws -> UUID {
        let handler = TicketCommandHandler(store: kit.api.store, logger: Logger(label: "commands"))
        let raw = "From: lee@customer.example\r\nSubject: Broken\r\n\r\n" + String(repeating: "x", count: rawBytes)
        let command = OpenTicketCommand(
            departmentID: kit.departmentID.lowercased, customerEmail: "lee@customer.example", subject: "Broken", bodyText: html == nil ? "It broke." : nil,
            bodyHTML: html, source: "email", rawContent: raw)
        let bytes = try CloudEventCoding.encode(CloudEvent(source: "mail", type: OpenTicketCommand.type, subject: "x", brandid: nil, data: command))
        try await kit.database.transaction { try await handler.apply(OpenTicketCommand.type, bytes, on: $0) }
        return try await firstID(kit, "SELECT id FROM \(kit.database.table("messages")) ORDER BY created_at DESC, id DESC LIMIT 1")
    }

    static func firstID(_ kit: TicketTestKit, _ sql: String, _ binds: PostgresBindings = PostgresBindings()) async throws -> UUID {
        let rows = try await kit.database.client.query(PostgresQuery(unsafeSQL: sql, binds: binds))
        var found: [UUID] = []
        for try await id in rows.decode(UUID.self) { found.append(id) }
        return try #require(found.first)
    }

    /// The messages whose raw email is still kept.
    static func kept(_ kit: TicketTestKit) async throws -> Set<UUID> {
        let rows = try await kit.database.client.query(
            PostgresQuery(unsafeSQL: "SELECT message_id FROM \(kit.database.table("message_sources")) WHERE raw_content IS NOT NULL"))
        var found: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return found
    }

    static func backdate(_ kit: TicketTestKit, _ message: UUID, days: Int) async throws {
        var binds = PostgresBindings()
        binds.append(Date().addingTimeInterval(-TimeInterval(days) * 86_400))
        binds.append(message)
        try await kit.database.client.query(
            PostgresQuery(unsafeSQL: "UPDATE \(kit.database.table("messages")) SET created_at = $1 WHERE id = $2", binds: binds)
        ).consume()
    }

    static func patch(_ client: any TestClientProtocol, _ kit: TicketTestKit, _ body: String) async throws -> HTTPResponse.Status {
        let admin = try await kit.administratorToken()
        return try await TicketTestKit.send(client, .patch, "/api/v1/tickets/settings/raw-content", token: admin, body: body).0
    }

    @Test("Raw emails older than the days, beyond the files or past the megabytes go, oldest first; the messages and the HTML their senders wrote stay")
    func purge() async throws {
        try await TicketTestKit.run { client, kit in
            let store = kit.api.store
            let unsafe = #"<p onclick="steal()">It broke.</p>"#
            let oldest = try await Self.emailed(kit, rawBytes: 600_000, html: unsafe)
            try await Self.backdate(kit, oldest, days: 31)
            let older = try await Self.emailed(kit, rawBytes: 600_000)
            try await Self.backdate(kit, older, days: 2)
            let newer = try await Self.emailed(kit, rawBytes: 600_000)
            try await Self.backdate(kit, newer, days: 1)
            let newest = try await Self.emailed(kit, rawBytes: 100)
            #expect(try await Self.kept(kit) == [oldest, older, newer, newest])

            #expect(try await store.purgeRawContent() == 1, "past 30 days")
            #expect(try await Self.kept(kit) == [older, newer, newest])
            #expect(try await store.purgeRawContent() == 0, "nothing more is due")
            let (shown, _, source) = try await TicketTestKit.send(
                client, .get, "/api/v1/tickets/\(try await Self.ticket(of: oldest, kit))/messages/\(oldest.lowercased)/source",
                token: try await kit.administratorToken())
            #expect(shown == .ok && source["html"] as? String == unsafe && (source["rawContent"] == nil || source["rawContent"] is NSNull))
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.messages") == 4, "every message stays")

            #expect(try await Self.patch(client, kit, #"{"megabytes":1}"#) == .ok)
            #expect(try await store.purgeRawContent() == 1, "the two newest fit in 1 MB, the third does not")
            #expect(try await Self.kept(kit) == [newer, newest])

            #expect(try await Self.patch(client, kit, #"{"files":1}"#) == .ok)
            #expect(try await store.purgeRawContent() == 1)
            #expect(try await Self.kept(kit) == [newest])
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.message_sources") == 2, "sources that kept nothing else are gone")
        }
    }

    static func ticket(of message: UUID, _ kit: TicketTestKit) async throws -> String {
        var binds = PostgresBindings()
        binds.append(message)
        return try await firstID(kit, "SELECT ticket_id FROM \(kit.database.table("messages")) WHERE id = $1", binds).lowercased
    }

    @Test("Employees read the limits; only system administrators change them; a limit below 1 is a 422 that changes nothing")
    func settings() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent", "Manager"])
            let (read, headers, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/settings/raw-content", token: agentToken)
            #expect(read == .ok)
            let defaults = try #require(found["settings"] as? [String: Any])
            #expect(defaults["days"] as? Int == 30 && defaults["files"] as? Int == 25_000 && defaults["megabytes"] as? Int == 10_000)
            let (byAgent, _, _) = try await TicketTestKit.send(client, .patch, "/api/v1/tickets/settings/raw-content", token: agentToken, body: #"{"days":7}"#)
            #expect(byAgent == .forbidden)
            let admin = try await kit.administratorToken()
            let (invalid, _, problem) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings/raw-content", token: admin, body: #"{"days":0,"files":5}"#)
            #expect(invalid == .unprocessableContent)
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "days")
            #expect(try await kit.api.store.rawContentRetention() == RawContentRetention(), "nothing changed")
            let (changed, _, body) = try await TicketTestKit.send(
                client, .patch, "/api/v1/tickets/settings/raw-content", token: admin, ifMatch: headers[.eTag], body: #"{"days":7}"#)
            #expect(changed == .ok && body["version"] as? Int == 2)
            #expect(try await kit.api.store.rawContentRetention().days == 7)
            #expect(try await kit.eventTypes().contains("raw_content_settings.changed"))
        }
    }
}
