import Auth
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing
import TestSupport
import TicketsApp

@Suite("Automatic time logs", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct AutomaticTimeLogTests {
    @Test("The owner's view of a minute or more makes a time log to the nearest minute; shorter views, other agents and the switch off make none")
    func rule() {
        let opened = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(AutomaticTimeLog.minutes(opened: opened, closed: opened.addingTimeInterval(59), enabled: true, byOwner: true) == nil)
        #expect(AutomaticTimeLog.minutes(opened: opened, closed: opened.addingTimeInterval(61), enabled: true, byOwner: true) == 1)
        #expect(AutomaticTimeLog.minutes(opened: opened, closed: opened.addingTimeInterval(150), enabled: true, byOwner: true) == 3)
        #expect(AutomaticTimeLog.minutes(opened: opened, closed: opened.addingTimeInterval(600), enabled: false, byOwner: true) == nil)
        #expect(AutomaticTimeLog.minutes(opened: opened, closed: opened.addingTimeInterval(600), enabled: true, byOwner: false) == nil)
        #expect(AutomaticTimeLog.minutes(opened: opened, closed: opened.addingTimeInterval(3 * 86_400), enabled: true, byOwner: true) == 1_440)
    }

    @Test("Two windows the owner has open at once log the time the ticket was open once, not twice")
    func overlappingWindows() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func at(_ minutes: Double) -> Date { start.addingTimeInterval(minutes * 60) }
        func span(_ from: Double, _ to: Double) -> DateInterval { DateInterval(start: at(from), end: at(to)) }
        #expect(AutomaticTimeLog.minutes(opened: at(5), closed: at(10), enabled: true, byOwner: true) == 5)
        #expect(
            AutomaticTimeLog.minutes(opened: at(0), closed: at(20), enabled: true, byOwner: true, logged: [span(5, 10)]) == 15,
            "a window inside the other: only the time around it")
        #expect(AutomaticTimeLog.minutes(opened: at(0), closed: at(20), enabled: true, byOwner: true, logged: [span(10, 30)]) == 10, "overlapping at the end")
        #expect(AutomaticTimeLog.minutes(opened: at(0), closed: at(20), enabled: true, byOwner: true, logged: [span(0, 20)]) == nil, "all of it logged")
        #expect(
            AutomaticTimeLog.minutes(opened: at(0), closed: at(20), enabled: true, byOwner: true, logged: [span(2, 8), span(6, 12), span(30, 40)]) == 10,
            "overlapping logged windows count once; those outside not at all")
        #expect(AutomaticTimeLog.minutes(opened: at(0), closed: at(20), enabled: true, byOwner: true, logged: [span(0, 19.8)]) == nil, "12 seconds left make no minute")
    }

    @Test("With identity's switch on, closing the owner's five-minute view logs five minutes on the ticket")
    func viewsMakeTimeLogs() async throws {
        try await TicketTestKit.run { client, kit in
            let owner = try await kit.agent()
            let ownerToken = try await kit.token(owner, roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            func view() async throws -> String {
                let (opened, _, body) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/views", token: ownerToken)
                #expect(opened == .created)
                let viewID = try #require(body["viewID"] as? String)
                var binds = PostgresBindings()
                binds.append(UUID(uuidString: viewID))
                try await kit.database.client.query(PostgresQuery(
                    unsafeSQL: "UPDATE \(kit.database.table("ticket_views")) SET opened_at = opened_at - interval '5 minutes' WHERE id = $1", binds: binds)
                ).consume()
                return viewID
            }
            let first = try await view()
            let (closed, _, none) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)/views/\(first)", token: ownerToken)
            #expect(closed == .ok && none["timeLog"] == nil, "the switch is off by default")

            try await kit.identity("management_settings.changed", ["settings": ["automaticTimeLogs": true, "staleAfterDays": 365], "version": 2])
            let second = try await view()
            let (_, _, logged) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)/views/\(second)", token: ownerToken)
            let log = try #require(logged["timeLog"] as? [String: Any])
            #expect(log["minutes"] as? Int == 5 && log["agentID"] as? String == owner.lowercased)
            let (_, _, history) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(id)/history", token: ownerToken)
            let told = (history["items"] as? [[String: Any]])?.first { $0["action"] as? String == "ticket.timelog_created" }?["details"] as? [String: String]
            #expect(told?["automatic"] == "true" && told?["minutes"] == "5", "a report tells the window's time from an agent's entry")
            let (again, _, _) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)/views/\(second)", token: ownerToken)
            #expect(again == .notFound, "a view closes once")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.time_logs") == 1)

            _ = try await kit.count(
                "UPDATE {schema}.ticket_views SET opened_at = opened_at - interval '1 hour', closed_at = closed_at - interval '1 hour' RETURNING 1")
            let (third, fourth) = (try await view(), try await view())
            let (_, _, thirdClosed) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)/views/\(third)", token: ownerToken)
            #expect((thirdClosed["timeLog"] as? [String: Any])?["minutes"] as? Int == 5)
            let (_, _, beside) = try await TicketTestKit.send(client, .delete, "/api/v1/tickets/\(id)/views/\(fourth)", token: ownerToken)
            #expect(beside["timeLog"] == nil, "a second window open over the same five minutes logs them once")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.time_logs") == 2)
        }
    }
}
