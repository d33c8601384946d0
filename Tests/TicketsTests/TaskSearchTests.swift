import Foundation
import HTTPTypes
import Testing

@testable import TicketsApp

@Suite("Task advanced search")
struct TaskSearchTests {
    @Test("Search String looks in subject and description, the subject only or the comments only, with the other criteria")
    func criteria() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let customer = try await kit.customer()
            let ticket = try await kit.submit(client, token: customer.token)
            let ticketID = try #require(ticket["id"] as? String)
            let number = try #require(ticket["number"] as? String)
            func create(_ path: String, _ body: String) async throws -> String {
                let (status, _, task) = try await TicketTestKit.send(client, .post, path, token: token, body: body)
                #expect(status == .created)
                return try #require(task["id"] as? String)
            }
            let fuser = try await create("/api/v1/tickets/\(ticketID)/tasks", #"{"subject":"Order a fuser","priority":"high","dueAt":"2027-01-10T09:00:00Z"}"#)
            let toner = try await create(
                "/api/v1/tickets/tasks", #"{"subject":"Stock check","description":"Count the 100% toner_black boxes","dueAt":"2027-02-01T09:00:00Z"}"#)
            let vendor = try await create("/api/v1/tickets/tasks", #"{"subject":"Vendor call","status":"on_hold"}"#)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks/\(vendor)/comments", token: token, body: #"{"body":"Ask about the FUSER warranty"}"#)
            let gone = try await create("/api/v1/tickets/tasks", #"{"subject":"Old fuser task"}"#)
            _ = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/tasks/\(gone)", token: admin)

            func found(_ query: String) async throws -> [String] {
                let (status, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/search?\(query)", token: token)
                #expect(status == .ok, "\(query)")
                return (page["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            }
            #expect(try await found("text=fuser") == [fuser])
            #expect(try await found("text=fuser&scope=comments") == [vendor])
            #expect(try await found("text=toner&scope=subject") == [])
            #expect(try await found("text=100%25%20toner_") == [toner], "% and _ match themselves")
            #expect(try await found("text=100_%20toner") == [], "an underscore is no wildcard")
            #expect(try await found("ticketNumber=\(number.lowercased())") == [fuser])
            #expect(try await found("priority=high,urgent") == [fuser])
            #expect(try await found("status=on_hold") == [vendor])
            #expect(try await found("dueFrom=2027-01-10&dueTo=2027-01-31") == [fuser])
            #expect(try await found("dueTo=2027-01-10") == [fuser], "a bare end date includes its day")
            #expect(try await found("text=fuser&include=deleted") == [gone])
            #expect(try await found("agentID=\(agent.lowercased)&limit=2") == [fuser, toner])

            let (bad, headers, problem) = try await TicketTestKit.send(
                client, .get, "/api/v1/tickets/tasks/search?scope=everything&status=done&dueFrom=soon&limit=0", token: token)
            #expect(bad == .unprocessableContent)
            #expect(headers[.contentType] == "application/problem+json")
            #expect(Set((problem["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []) == ["scope", "status", "dueFrom", "limit"])
        }
    }

    @Test("A search finds only tasks the caller may see")
    func visibility() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let (_, _, outsiderToken) = try await kit.secondGroupAgent()
            let colleague = try await kit.agent()
            let colleagueToken = try await kit.token(colleague, roles: ["Agent"])
            let customer = try await kit.customer()
            let ticket = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(ticket)/tasks", token: token, body: #"{"subject":"Printer part"}"#)
            _ = try await TicketTestKit.send(client, .post, "/api/v1/tickets/tasks", token: token, body: #"{"subject":"Printer notes"}"#)

            func count(_ token: String) async throws -> Int {
                let (_, _, page) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/tasks/search?text=printer", token: token)
                return (page["items"] as? [[String: Any]])?.count ?? -1
            }
            #expect(try await count(token) == 2)
            #expect(try await count(colleagueToken) == 1, "a colleague of the ticket's group finds the ticket's task, not the agent's own")
            #expect(try await count(outsiderToken) == 0)
            #expect(try await count(try await kit.administratorToken()) == 2)
        }
    }
}
