import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

/// A group an administrator moves to another department takes its tickets along, in batches by the timer workers.
@Suite("A group moved to another department", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct GroupDepartmentMoveTests {
    @Test("Its tickets move to the department's lists, counts and brand, each with its event, and take the department's timers; the rest stay")
    func ticketsFollowTheGroup() async throws {
        try await TicketTestKit.run { client, kit in
            let second = try await kit.secondGroupAgent()
            let admin = try await kit.administratorToken()
            let customer = try await kit.customer()
            let stays = try #require(try await kit.submit(client, token: customer.token, subject: "Stays")["id"] as? String)
            var ids: [String] = []
            for subject in ["One", "Two", "Three"] {
                let id = try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String)
                #expect(try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(id)/transfer", token: admin, body: #"{"groupID":"\#(second.group.lowercased)"}"#).0 == .ok)
                ids.append(id)
            }
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ids[2])/replies", token: second.token, body: #"{"body":"Try this.","sendVariant":"waiting"}"#)
            let (_, _, waitingBefore) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[2])", token: admin)

            let billing = UUID(), billingFrontLine = UUID(), billingBrand = UUID()
            try await kit.identity("department.created", [
                "id": billing.lowercased, "brandID": billingBrand.lowercased, "name": "Billing", "frontLineGroupID": billingFrontLine.lowercased,
                "hiddenFromPortal": false, "version": 1, "settings": ["tickets": ["autoCloseEnabled": true, "autoCloseAfterHours": 24]],
            ])
            try await kit.identity("group.updated", ["id": second.group.lowercased, "departmentID": billing.lowercased, "name": "Second Line"])
            var batches = 0
            while try await kit.api.store.moveGroupTicketsToItsDepartment(batchSize: 2) { batches += 1 }
            #expect(batches == 3, "three tickets in batches of two, and the empty one after them")

            for id in ids {
                let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: admin)
                #expect(ticket["departmentID"] as? String == billing.lowercased && ticket["brandID"] as? String == billingBrand.lowercased)
                #expect(ticket["groupID"] as? String == second.group.lowercased && ticket["agentID"] as? String == second.agent.lowercased)
            }
            let (_, _, waitingAfter) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[2])", token: admin)
            #expect(waitingAfter["idleSince"] as? String == waitingBefore["idleSince"] as? String, "not an action on the ticket")
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.timers WHERE ticket_id = '\(ids[2])' AND kind = 'auto_close' AND due_at < now() + interval '25 hours'
                """) == 1, "the Waiting ticket closes after Billing's 24 hours")
            let (_, _, moved) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=department&id=\(billing.lowercased)&status=active", token: admin)
            #expect(Set((moved["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []) == Set(ids.prefix(2)))
            #expect((moved["counts"] as? [String: Any])?["waiting"] as? Int == 1)
            let (_, _, old) = try await TicketTestKit.send(
                client, .get, "/api/v1/tickets?view=department&id=\(kit.departmentID.lowercased)&status=active", token: admin)
            #expect((old["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [stays], "the front line's ticket stays")
            #expect((old["counts"] as? [String: Any])?["waiting"] as? Int == 0)
            #expect(try await kit.count("""
                SELECT count(*)::int FROM {schema}.history WHERE action = 'ticket.department_changed' AND details->>'toDepartmentID' = '\(billing.lowercased)'
                  AND details->>'fromDepartmentID' = '\(kit.departmentID.lowercased)' AND details->>'cause' = 'group_moved'
                """) == 3)
            #expect(try await kit.api.store.moveGroupTicketsToItsDepartment() == false, "nothing waits")
            let memberships = try await kit.api.store.memberships(of: second.agent)
            #expect(memberships.count == 1 && memberships.first?.department == billing, "the group's agents are Billing's now")

            try await kit.identity("group.updated", ["id": second.group.lowercased, "departmentID": billing.lowercased, "name": "Billing Desk"])
            #expect(try await kit.api.store.moveGroupTicketsToItsDepartment() == false, "a rename moves nothing")
        }
    }

    @Test("A move to a department tickets does not know yet waits for it")
    func moveWaitsForTheDepartment() async throws {
        try await TicketTestKit.run { client, kit in
            let second = try await kit.secondGroupAgent()
            let admin = try await kit.administratorToken()
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/transfer", token: admin, body: #"{"groupID":"\#(second.group.lowercased)"}"#)
            let billing = UUID()
            try await kit.identity("group.updated", ["id": second.group.lowercased, "departmentID": billing.lowercased, "name": "Second Line"])
            #expect(try await kit.api.store.moveGroupTicketsToItsDepartment() == false, "the department's event has not arrived")
            try await kit.identity("department.created", [
                "id": billing.lowercased, "brandID": kit.brandID.lowercased, "name": "Billing", "frontLineGroupID": UUID().lowercased,
                "hiddenFromPortal": false, "version": 1,
            ])
            while try await kit.api.store.moveGroupTicketsToItsDepartment() {}
            let (_, _, ticket) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: admin)
            #expect(ticket["departmentID"] as? String == billing.lowercased)
        }
    }
}
