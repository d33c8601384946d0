import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import PostgresNIO
import TestSupport

@testable import TicketsApp

@Suite("A deleted department's tickets", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct DepartmentRemovalTests {
    @Test("Deleting a department with moveItemsTo hands its tickets to the other department's front-line round robin, counts and all")
    func handedOver() async throws {
        try await TicketTestKit.run { client, kit in
            _ = try await kit.agent()
            let customer = try await kit.customer()
            var ids: [String] = []
            for _ in 0..<3 { ids.append(try #require(try await kit.submit(client, token: customer.token)["id"] as? String)) }
            let (billing, billingFrontLine) = (UUID(), UUID())
            try await kit.identity("department.created", [
                "id": billing.lowercased, "brandID": kit.brandID.lowercased, "name": "Billing", "frontLineGroupID": billingFrontLine.lowercased, "version": 1,
            ])
            try await kit.identity("group.created", ["id": billingFrontLine.lowercased, "departmentID": billing.lowercased, "name": "Billing Front Line"])
            let billingAgent = try await kit.agent(in: billingFrontLine)
            try await kit.identity("department.deleted", [
                "departmentID": kit.departmentID.lowercased, "groupIDs": [kit.frontLineID.lowercased], "moveItemsTo": billing.lowercased,
            ])
            #expect(try await kit.api.store.removeDeletedDepartmentTickets(batchSize: 2))
            #expect(try await kit.api.store.removeDeletedDepartmentTickets(batchSize: 2))
            #expect(try await kit.api.store.removeDeletedDepartmentTickets(batchSize: 2), "the batch that finds none ends the sweep")
            #expect(try await kit.api.store.removeDeletedDepartmentTickets(batchSize: 2) == false)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE department_id = '\(kit.departmentID.lowercased)'") == 0)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.tickets WHERE department_id = '\(billing.lowercased)' AND group_id = '\(billingFrontLine.lowercased)'
                  AND agent_id = '\(billingAgent.lowercased)'
                """) == 3)
            #expect(try await kit.count("SELECT coalesce(sum(n), 0)::int FROM {schema}.ticket_counts WHERE scope = 'department' AND scope_id = '\(billing.lowercased)'") == 3)
            #expect(try await kit.count("SELECT coalesce(sum(n), 0)::int FROM {schema}.ticket_counts WHERE scope = 'department' AND scope_id = '\(kit.departmentID.lowercased)'") == 0)
            #expect(try await kit.eventTypes().filter { $0 == "ticket.transferred" }.count == 3)
        }
    }

    @Test("Deleting a department without a department to move to deletes its tickets, to be purged after 90 days")
    func deleted() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Administrator"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            try await kit.identity("department.deleted", ["departmentID": kit.departmentID.lowercased, "groupIDs": [kit.frontLineID.lowercased]])
            while try await kit.api.store.removeDeletedDepartmentTickets() {}
            let (read, _, gone) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: token)
            #expect(read == .ok && gone["deletedAt"] != nil, "deleted, read-only until it is purged")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.timers WHERE kind = 'purge'") == 1)
        }
    }

    @Test("A ticket an agent transfers out while its deleted department's tickets are being deleted stays where it went")
    func ticketLeavingDuringRemovalStays() async throws {
        try await TicketTestKit.run { client, kit in
            let submitted = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let id = try #require(UUID(uuidString: submitted))
            let (billing, billingFrontLine) = (UUID(), UUID())
            try await kit.identity("department.created", [
                "id": billing.lowercased, "brandID": kit.brandID.lowercased, "name": "Billing", "frontLineGroupID": billingFrontLine.lowercased, "version": 1,
            ])
            try await kit.identity("group.created", ["id": billingFrontLine.lowercased, "departmentID": billing.lowercased, "name": "Billing Front Line"])
            try await kit.identity("department.deleted", ["departmentID": kit.departmentID.lowercased, "groupIDs": [kit.frontLineID.lowercased]])
            try await kit.database.client.withConnection { connection in
                try await connection.query("BEGIN", logger: kit.database.logger).consume()
                let target = try #require(try await kit.api.store.department(billing, on: connection))
                try await kit.api.store.transfer([id], toFrontLineOf: target, on: connection)
                async let sweep = kit.api.store.removeDeletedDepartmentTickets()
                var waited = 0
                while try await kit.count("SELECT count(*)::int FROM pg_locks WHERE NOT granted") == 0, waited < 100 {
                    try await Task.sleep(for: .milliseconds(50))
                    waited += 1
                }
                #expect(waited < 100, "the sweep waits for the transfer's transaction")
                try await connection.query("COMMIT", logger: kit.database.logger).consume()
                _ = try await sweep
            }
            while try await kit.api.store.removeDeletedDepartmentTickets() {}
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.tickets WHERE id = '\(id.lowercased)' AND deleted_at IS NULL AND department_id = '\(billing.lowercased)'
                """) == 1, "not deleted with the department it left")
        }
    }

    @Test("A ticket committed into a deleted department after its sweep found none is handed over at the next check; the sweep ends ten minutes after")
    func lateTicketIsHandedOver() async throws {
        try await TicketTestKit.run { _, kit in
            let (billing, billingFrontLine) = (UUID(), UUID())
            try await kit.identity("department.created", [
                "id": billing.lowercased, "brandID": kit.brandID.lowercased, "name": "Billing", "frontLineGroupID": billingFrontLine.lowercased, "version": 1,
            ])
            try await kit.identity("group.created", ["id": billingFrontLine.lowercased, "departmentID": billing.lowercased, "name": "Billing Front Line"])
            let doomed = try #require(try await kit.api.store.department(kit.departmentID))
            let late = try await kit.database.client.withConnection { connection in
                // The ticket's transaction read the department before it was deleted, and commits after the sweep.
                try await connection.query("BEGIN", logger: kit.database.logger).consume()
                let ticket = try await kit.api.store.create(
                    DistributionConcurrencyTests.newTicket(1, in: doomed, kit: kit), actor: .customer(nil), on: connection)
                try await kit.identity("department.deleted", [
                    "departmentID": kit.departmentID.lowercased, "groupIDs": [kit.frontLineID.lowercased], "moveItemsTo": billing.lowercased,
                ])
                while try await kit.api.store.removeDeletedDepartmentTickets() {}
                try await connection.query("COMMIT", logger: kit.database.logger).consume()
                return ticket.id
            }
            func inBilling() async throws -> Int {
                try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE id = '\(late)' AND department_id = '\(billing.lowercased)'")
            }
            #expect(try await inBilling() == 0, "the sweep had ended before the ticket committed")
            #expect(try await kit.api.store.removeDeletedDepartmentTickets() == false, "checked again only a minute after the last check")
            _ = try await kit.count("UPDATE {schema}.department_removals SET checked_at = checked_at - interval '2 minutes' RETURNING 1")
            while try await kit.api.store.removeDeletedDepartmentTickets() {}
            #expect(try await inBilling() == 1, "handed to the department the tickets went to")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.department_removals") == 1, "still checking")
            _ = try await kit.count("UPDATE {schema}.department_removals SET checked_at = now() - interval '2 minutes', finished_at = now() - interval '11 minutes' RETURNING 1")
            while try await kit.api.store.removeDeletedDepartmentTickets() {}
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.department_removals") == 0, "ended ten minutes after it first found none")
        }
    }

    @Test("A deleted department's groups go with it: their memberships, rebalance rules and group signatures")
    func groupsGoWithTheDepartment() async throws {
        try await TicketTestKit.run { _, kit in
            let agent = try await kit.agent()
            #expect(try await kit.api.store.memberships(of: agent).count == 1)
            try await kit.identity("department.deleted", ["departmentID": kit.departmentID.lowercased, "groupIDs": [kit.frontLineID.lowercased]])
            #expect(try await kit.api.store.memberships(of: agent).isEmpty)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.groups WHERE id = '\(kit.frontLineID.lowercased)'") == 0)
        }
    }
}
