import Contracts
import Database
import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import TestSupport

@testable import TicketsApp

@Suite("Tickets read by id", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketsByIDTests {
    @Test(
        "Tickets read by id are the tickets listed, prepared on the service's schema and unprepared on another, deleted ones only when asked",
        arguments: ["tickets", "tickets_elsewhere"])
    func readByID(schema: String) async throws {
        try await TicketTestKit.run(schema: schema) { client, kit in
            let customer = try await kit.customer()
            let firstID = try await kit.submit(client, token: customer.token, subject: "First")["id"] as? String
            let secondID = try await kit.submit(client, token: customer.token, subject: "Second")["id"] as? String
            let first = try #require(firstID.flatMap(UUID.init(parsing:)))
            let second = try #require(secondID.flatMap(UUID.init(parsing:)))
            let store = kit.api.store
            let listed = try await kit.database.client.withConnection { try await store.tickets("WHERE true ORDER BY subject", PostgresBindings(), on: $0) }
            let read = try await kit.database.client.withConnection { try await store.tickets(ids: [second, first, UUID()], on: $0) }
            #expect(read.sorted { $0.subject < $1.subject } == listed, "every column decoded as the list decodes it; an unknown id is left out")
            #expect(try await store.find(first)?.subject == "First")
            try await kit.database.client.query(PostgresQuery(unsafeSQL: """
                UPDATE \(kit.database.table("tickets")) SET idle_alert = 2, duration_alert = 1, language = 'pt-BR' WHERE id = '\(second.lowercased)'
                """)).consume()
            let changed = try #require(try await store.find(second))
            #expect(changed.subject == "Second" && changed.language == "pt-BR" && changed.status == .active)
            #expect(changed.idleAlert == .critical && changed.durationAlert == .warning, "the last columns land where they belong")

            _ = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(first.lowercased)", token: try await kit.administratorToken())
            #expect(try await store.find(first) == nil, "a deleted ticket is not found")
            let deleted = try await kit.database.client.withConnection { try await store.tickets(ids: [first], includingDeleted: true, on: $0) }
            #expect(deleted.map(\.subject) == ["First"], "unless deleted ones are asked for")
            let again = try await kit.database.client.withConnection { try await store.tickets(ids: [first, second], on: $0) }
            #expect(again.map(\.subject) == ["Second"])
        }
    }
}
