import Fleet
import Foundation
import HTTPTypes
import Search
import Testing

@testable import TicketsApp

@Suite("Departments every agent finds through advanced search")
struct SearchableDepartmentTests {
    @Test("Outside agents find and read the department's tickets and may only comment; managers may change them; closed departments stay hidden")
    func readOnlyForOutsiders() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("searchable-\(UUID().uuidString)").path
        try await TicketTestKit.run(index: { try SearchIndex(path: path, schemaVersion: TicketSearchTerms.schemaVersion) }) { client, kit in
            let otherDepartment = UUID()
            let otherGroup = UUID()
            try await kit.identity("department.created", [
                "id": otherDepartment.lowercased, "brandID": kit.brandID.lowercased, "name": "Sales", "frontLineGroupID": otherGroup.lowercased, "version": 1,
            ])
            try await kit.identity("group.created", ["id": otherGroup.lowercased, "departmentID": otherDepartment.lowercased, "name": "Sales Front"])
            let outsider = try await kit.agent(in: otherGroup)
            let outsiderToken = try await kit.token(outsider, roles: ["Agent"])
            let manager = try await kit.agent(in: otherGroup, handling: "pull")
            let managerToken = try await kit.token(manager, roles: ["Agent", "Manager"])
            try await kit.agent()
            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token, subject: "Invoice missing")["id"] as? String)
            try await kit.indexer?.reindex(try #require(UUID(uuidString: id)))

            let (hidden, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: outsiderToken)
            #expect(hidden == .notFound)
            let (_, _, nothing) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=invoice", token: outsiderToken)
            #expect((nothing["items"] as? [[String: Any]])?.isEmpty == true)

            try await kit.departmentSettings(["allowAllAgentsAdvancedSearch": true], version: 2)
            let (_, _, found) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?text=invoice", token: outsiderToken)
            #expect((found["items"] as? [[String: Any]])?.compactMap { ($0["ticket"] as? [String: Any])?["id"] as? String } == [id])
            let (_, _, structured) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/search?status=active", token: outsiderToken)
            #expect((structured["items"] as? [[String: Any]])?.count == 1)
            let (read, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)", token: outsiderToken)
            #expect(read == .ok)
            let (commented, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/comments", token: outsiderToken, body: #"{"type":"general","body":"Seen this before"}"#)
            #expect(commented == .created)
            let (replied, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(id)/replies", token: outsiderToken, body: #"{"body":"Hello","sendVariant":"waiting"}"#)
            #expect(replied == .forbidden)
            let (closed, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/status", token: outsiderToken, body: #"{"status":"closed"}"#)
            #expect(closed == .forbidden)
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE status = 'active'") == 1, "nothing changed")
            let (list, _, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets?view=group&id=\(kit.frontLineID.lowercased)", token: outsiderToken)
            #expect(list == .forbidden, "finding by search does not open the group's lists")

            let (priority, _, _) = try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(id)/priority", token: managerToken, body: #"{"priority":"high"}"#)
            #expect(priority == .ok, "managers may modify them")
            try await kit.indexer?.index.destroy()
        }
    }
}
