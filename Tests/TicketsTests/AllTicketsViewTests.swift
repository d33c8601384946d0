import Fleet
import Foundation
import HTTPTypes
import HummingbirdTesting
import Search
import Testing
import TestSupport
import TicketsApp

@Suite("All Tickets", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct AllTicketsViewTests {
    /// Submits a ticket to `department` (the kit's when nil) as a new customer; answers its id.
    static func submit(_ client: any TestClientProtocol, _ kit: TicketTestKit, subject: String, to department: UUID? = nil) async throws -> String {
        let customer = try await kit.customer()
        guard let department else { return try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String) }
        let (status, _, ticket) = try await TicketTestKit.send(
            client, .post, "/api/v1/tickets", token: customer.token,
            body: #"{"departmentID":"\#(department.lowercased)","subject":"\#(subject)","body":"x"}"#)
        #expect(status == .created)
        return try #require(ticket["id"] as? String)
    }

    /// Every page of `list`, `limit` at a time: the ids in order, and each page's counts.
    static func walk(
        _ client: any TestClientProtocol, _ list: String, token: String, limit: Int = 2
    ) async throws -> (ids: [String], counts: [[String: Int]]) {
        var ids: [String] = []
        var counts: [[String: Int]] = []
        var cursor: String?
        repeat {
            let (status, _, page) = try await TicketTestKit.send(
                client, .get, "/api/v1/tickets?\(list)&limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
            #expect(status == .ok, "\(list)")
            ids += ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            counts.append((page["counts"] as? [String: Int]) ?? [:])
            cursor = page["nextCursor"] as? String
        } while cursor != nil && ids.count < 50
        return (ids, counts)
    }

    @Test("An administrator's All Tickets holds every brand's tickets, most urgent and then longest idle first, page after page")
    func administratorSeesEveryBrand() async throws {
        try await TicketTestKit.run { client, kit in
            let admin = try await kit.administratorToken()
            let other = try await kit.otherBrandDepartment()
            var ids: [String] = []
            for index in 0..<3 {
                ids.append(try await Self.submit(client, kit, subject: "Demo \(index)"))
                ids.append(try await Self.submit(client, kit, subject: "Acme \(index)", to: other.department))
            }
            for (index, priority) in [(3, "urgent"), (4, "high"), (5, "low")] {
                let (status, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[index])/priority", token: admin, body: #"{"priority":"\#(priority)"}"#)
                #expect(status == .ok)
            }

            let standard = try await Self.walk(client, "view=all", token: admin)
            #expect(standard.ids == [ids[3], ids[4], ids[0], ids[1], ids[2], ids[5]], "both brands merged in one order")
            #expect(standard.counts.allSatisfy { $0 == ["active": 6, "waiting": 0, "closed": 0] })
            let bySubject = try await Self.walk(client, "view=all&sort=subject&order=desc", token: admin)
            #expect(bySubject.ids == [ids[4], ids[2], ids[0], ids[5], ids[3], ids[1]], "Demo 2 … Acme 0")

            for (index, status) in [(0, "closed"), (1, "closed_locked"), (2, "waiting")] {
                #expect(try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ids[index])/status", token: admin, body: #"{"status":"\#(status)"}"#).0 == .ok)
            }
            let closed = try await Self.walk(client, "view=all&status=closed", token: admin, limit: 1)
            #expect(Set(closed.ids) == [ids[0], ids[1]] && closed.ids.count == 2, "the Closed tab holds Closed and Closed and Locked of both brands")
            #expect(closed.counts.first == ["active": 3, "waiting": 1, "closed": 2])
            let (_, _, tree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: admin)
            #expect((tree["allTickets"] as? [String: Int]) == ["active": 3, "waiting": 1, "closed": 2], "the tree counts as the list does")
        }
    }

    @Test("A manager's All Tickets holds the departments they belong to only, basic search too; agents who manage nothing are refused")
    func managersSeeTheirDepartments() async throws {
        let path = TicketSearchTests.indexPath()
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let other = try await kit.otherBrandDepartment()
            let agent = try await kit.agent(handling: "pull")
            let manager = try await kit.token(agent, roles: ["Agent", "Manager"])
            let ours = [try await Self.submit(client, kit, subject: "Scanner jam"), try await Self.submit(client, kit, subject: "Login")]
            let theirs = try await Self.submit(client, kit, subject: "Scanner noise", to: other.department)
            try await kit.identity("department.updated", [
                "id": other.department.lowercased, "brandID": other.brand.lowercased, "name": "Acme Support", "frontLineGroupID": other.group.lowercased,
                "version": 2, "settings": ["allowOutsideManagersToView": true],
            ])
            let (open, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=department&id=\(other.department.lowercased)", token: manager)
            #expect(open == .ok, "a department open to outside managers is theirs to view by department")

            let listed = try await Self.walk(client, "view=all", token: manager)
            #expect(listed.ids == ours, "not the other brand's department, open to them or not: they are not part of it")
            #expect(listed.counts.first == ["active": 2, "waiting": 0, "closed": 0])
            let (_, _, tree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: manager)
            #expect((tree["allTickets"] as? [String: Int]) == ["active": 2, "waiting": 0, "closed": 0])

            let indexer = try #require(kit.indexer)
            for id in ours + [theirs] { try await indexer.reindex(try #require(UUID(uuidString: id))) }
            let (_, _, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=all&q=scanner", token: manager)
            #expect(((found["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [ours[0]])
            let (_, _, everywhere) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=all&q=scanner", token: try await kit.administratorToken())
            #expect(Set(((everywhere["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }) == [ours[0], theirs])
            for (brand, expected) in [(other.brand, theirs), (kit.brandID, ours[0])] {
                let (_, _, queued) = try await TicketTestKit.send(
                    client, .get, "/api/v1/tickets?view=queue&brandID=\(brand.lowercased)&q=scanner", token: try await kit.administratorToken())
                #expect(((queued["items"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [expected], "a Queue search keeps to the brand chosen")
            }

            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let (refused, headers, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=all", token: agentToken)
            #expect(refused == .forbidden)
            #expect(headers[.contentType] == "application/problem+json")
            let (_, _, agentTree) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/views", token: agentToken)
            #expect(agentTree["allTickets"] == nil, "not offered")
        }
    }
}
