import Foundation
import PostgresNIO
import Testing
import TestSupport
@testable import TicketsApp

/// What the tickets table refuses whoever writes it: values the service reads back through a fixed set of cases.
@Suite("Stored ticket constraints", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct TicketConstraintTests {
    @Test("A priority outside the four ranks is refused, for the ticket and for its follow-up")
    func priorityOutsideTheRanksIsRefused() async throws {
        try await TicketTestKit.run { _, kit in
            let department = try #require(try await kit.api.store.department(kit.departmentID))
            let ticket = try await kit.api.store.create(
                NewTicket(
                    department: department, groupID: kit.frontLineID, customerUserID: nil, customerEmail: "c@customer.example",
                    subject: "Printer", bodyHTML: "<p>Help</p>", bodyText: "Help", priority: .urgent, owner: nil, incoming: true,
                    status: .active),
                actor: .system)
            for column in ["priority", "follow_up_priority"] {
                let error = await #expect(throws: PSQLError.self) {
                    _ = try await kit.count("WITH u AS (UPDATE {schema}.tickets SET \(column) = 4 WHERE id = '\(ticket.id)' RETURNING 1) SELECT count(*)::int FROM u")
                }
                #expect(error?.serverInfo?[.sqlState] == "23514", "a check violation for \(column)")
            }
            #expect(try await kit.count("SELECT priority::int FROM {schema}.tickets WHERE id = '\(ticket.id)'") == 3, "Urgent kept")
        }
    }
}
