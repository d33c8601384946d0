import Contracts
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing
import TestSupport
import TicketsApp

/// The seed: "a department can be assigned a language", used to route tickets and in event conditions by language.
@Suite("Ticket language", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketLanguageTests {
    @Test("A ticket takes its department's language when opened and the new department's when transferred; lists and events carry it")
    func languageFollowsTheDepartment() async throws {
        try await TicketTestKit.run { client, kit in
            try await kit.identity("department.updated", [
                "id": kit.departmentID.lowercased, "brandID": kit.brandID.lowercased, "name": "Support", "frontLineGroupID": kit.frontLineID.lowercased,
                "hiddenFromPortal": false, "language": "de", "version": 2,
            ])
            let (french, frenchGroup) = (UUID(), UUID())
            try await kit.identity("department.created", [
                "id": french.lowercased, "brandID": kit.brandID.lowercased, "name": "Support FR", "frontLineGroupID": frenchGroup.lowercased,
                "hiddenFromPortal": false, "language": "fr", "version": 1,
            ])
            try await kit.identity("group.created", ["id": frenchGroup.lowercased, "departmentID": french.lowercased, "name": "Front Line FR"])
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()

            let ticket = try await kit.submit(client, token: customer.token, subject: "Drucker brennt")
            let id = try #require(ticket["id"] as? String)
            #expect(ticket["language"] as? String == "de")
            let (_, _, mine) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=mine", token: token)
            #expect((mine["items"] as? [[String: Any]])?.first?["language"] as? String == "de", "the list page writes it too")

            let (transferred, _, moved) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/transfer", token: try await kit.administratorToken(), body: #"{"groupID":"\#(frenchGroup.lowercased)"}"#)
            #expect(transferred == .ok)
            #expect(moved["language"] as? String == "fr")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE id = '\(id)' AND language = 'fr'") == 1)
            #expect(try await Self.languages(ofEventsAbout: id, kit: kit) == ["ticket.created": "de", "ticket.transferred": "fr"])
        }
    }

    /// The `language` of the ticket in each event about it (the last of each type).
    static func languages(ofEventsAbout id: String, kit: TicketTestKit) async throws -> [String: String] {
        struct Carried: Codable { var language: String }
        struct EventData: Codable { var ticket: Carried }
        let rows = try await kit.database.client.query(PostgresQuery(unsafeSQL: "SELECT payload FROM \(kit.database.table("outbox")) ORDER BY id"))
        var languages: [String: String] = [:]
        for try await payload in rows.decode(ByteBuffer.self) {
            let bytes = Array(buffer: payload)
            let header = try CloudEventCoding.decodeHeader(bytes)
            guard header.subject == id, ["ticket.created", "ticket.transferred"].contains(header.type) else { continue }
            languages[header.type] = try CloudEventCoding.decode(EventData.self, from: bytes).data.ticket.language
        }
        return languages
    }
}
