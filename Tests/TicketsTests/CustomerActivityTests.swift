import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("A user's details as agents read them", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct CustomerActivityTests {
    @Test("The periods end now and reach back 7, 30 and 90 days")
    func periods() {
        let now = Date(timeIntervalSince1970: 100 * 86_400)
        #expect(ActivityPeriods.starts(endingAt: now).map { Int($0.timeIntervalSince1970 / 86_400) } == [93, 70, 10])
    }

    @Test("Statistics count the tickets from the user's address and the time logged on them by period, History their last ticket, Forms the forms sent; only over tickets the agent sees")
    func statisticsHistoryAndForms() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let token = try await kit.token(agent, roles: ["Agent"])
            let customer = try await kit.customer()
            var ids: [String] = []
            for subject in ["Old", "New"] { ids.append(try #require(try await kit.submit(client, token: customer.token, subject: subject)["id"] as? String)) }
            _ = try await kit.count("UPDATE {schema}.tickets SET created_at = now() - interval '40 days' WHERE id = '\(ids[0])' RETURNING 1")
            for (id, minutes) in [(ids[0], 30), (ids[1], 15)] {
                let (logged, _, _) = try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/time-logs", token: token, body: #"{"minutes":\#(minutes)}"#)
                #expect(logged == .created)
            }
            _ = try await kit.count("UPDATE {schema}.time_logs SET created_at = now() - interval '40 days' WHERE ticket_id = '\(ids[0])' RETURNING 1")
            let formID = try #require(
                try await TicketTestKit.send(client, .post, "/api/v1/tickets/forms", token: try await kit.administratorToken(), body: #"{"name":"Serial"}"#)
                    .2["id"] as? String)
            let (sent, _, _) = try await TicketTestKit.send(
                client, .post, "/api/v1/tickets/\(ids[1])/replies", token: token, body: #"{"body":"Here: #FormLink#","formID":"\#(formID)"}"#)
            #expect(sent == .created)

            let email = try #require(try await TicketTestKit.send(client, .get, "/api/v1/tickets/\(ids[0])", token: token).2["customerEmail"] as? String)
            let (status, _, activity) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/customer-activity?email=\(email.uppercased())", token: token)
            #expect(status == .ok)
            let tickets = try #require(activity["tickets"] as? [String: Int])
            #expect(tickets == ["last7Days": 1, "last30Days": 1, "last90Days": 2, "allTime": 2])
            #expect(activity["timeLogs"] as? [String: Int] == ["last7Days": 1, "last30Days": 1, "last90Days": 2, "allTime": 2])
            #expect(activity["minutesLogged"] as? [String: Int] == ["last7Days": 15, "last30Days": 15, "last90Days": 45, "allTime": 45])
            #expect(activity["lastTicketAt"] != nil)
            let (_, _, forms) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/sent-forms?email=\(email)", token: token)
            #expect((forms["items"] as? [[String: Any]])?.map { $0["ticketID"] as? String } == [ids[1]])

            let outsider = try await kit.secondGroupAgent()
            let (_, _, unseen) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/customer-activity?email=\(email)", token: outsider.token)
            #expect((unseen["tickets"] as? [String: Int])?["allTime"] == 0, "another group's agent counts none of them")
            #expect(try await TicketTestKit.send(client, .get, "/api/v1/tickets/customer-activity?email=\(email)", token: customer.token).0 == .forbidden)
            let (bad, headers, _) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/customer-activity?email=nobody", token: token)
            #expect(bad == .unprocessableContent && headers[.contentType] == "application/problem+json")
        }
    }
}
