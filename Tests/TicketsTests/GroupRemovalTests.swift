import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

/// A deleted group's tickets go to its department's front-line group, as transfers, in batches by the timer workers.
@Suite("A deleted group's tickets", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct GroupRemovalTests {
    @Test("They are transferred to the front-line group: its agents receive the Active ones, and none is left in the deleted group")
    func ticketsGoToTheFrontLine() async throws {
        try await TicketTestKit.run { client, kit in
            let second = try await kit.secondGroupAgent()
            let admin = try await kit.administratorToken()
            var ids: [String] = []
            for subject in ["One", "Two", "Three"] {
                let id = try #require(try await kit.submit(client, token: try await kit.customer().token, subject: subject)["id"] as? String)
                let (moved, _, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(id)/transfer", token: admin, body: #"{"groupID":"\#(second.group.lowercased)"}"#)
                #expect(moved == .ok)
                ids.append(id)
            }
            let frontLine = try await kit.agent()
            try await kit.identity("group.deleted", ["groupID": second.group.lowercased, "departmentID": kit.departmentID.lowercased])
            var batches = 0
            while try await kit.api.store.removeDeletedGroupTickets(batchSize: 2) { batches += 1 }
            #expect(batches == 3, "two batches, and the empty one that ends the sweep")

            for id in ids {
                let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: admin)
                #expect(ticket["groupID"] as? String == kit.frontLineID.lowercased)
                #expect(ticket["agentID"] as? String == frontLine.lowercased, "the front line's round robin takes it")
            }
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE group_id = '\(second.group.lowercased)'") == 0)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE action = 'ticket.transferred' AND details->>'oldGroupID' = '\(second.group.lowercased)'
                """) == 3)
        }
    }

    @Test("A group deleted while tickets still knows it as the front line waits for the department's new front line")
    func removalWaitsForTheNewFrontLine() async throws {
        try await TicketTestKit.run { client, kit in
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let newFrontLine = UUID()
            try await kit.identity("group.created", ["id": newFrontLine.lowercased, "departmentID": kit.departmentID.lowercased, "name": "New Front Line"])
            try await kit.identity("group.deleted", ["groupID": kit.frontLineID.lowercased, "departmentID": kit.departmentID.lowercased])
            #expect(try await kit.api.store.removeDeletedGroupTickets() == false, "the department's change has not arrived")
            try await kit.identity("department.updated", [
                "id": kit.departmentID.lowercased, "brandID": kit.brandID.lowercased, "name": "Support", "frontLineGroupID": newFrontLine.lowercased,
                "hiddenFromPortal": false, "version": 2,
            ])
            while try await kit.api.store.removeDeletedGroupTickets() {}
            let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: try await kit.administratorToken())
            #expect(ticket["groupID"] as? String == newFrontLine.lowercased)
        }
    }

    @Test("A membership announced after its group's deletion does not bring the group's agent back")
    func lateMembershipIsStale() async throws {
        try await TicketTestKit.run { _, kit in
            let second = try await kit.secondGroupAgent()
            try await kit.identity("group.deleted", ["groupID": second.group.lowercased, "departmentID": kit.departmentID.lowercased])
            try await kit.agent(in: second.group, id: second.agent)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.agent_groups WHERE group_id = '\(second.group.lowercased)'") == 0)
        }
    }
}
