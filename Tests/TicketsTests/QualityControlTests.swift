import Auth
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import TicketsApp

@Suite("Quality control: a sample of an agent's replies copied to a reviewer", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct QualityControlTests {
    @Test("Every frequency-th reply is copied; a frequency of 1 copies every reply; bad addresses and frequencies are refused")
    func rules() throws {
        #expect([1, 2, 3, 4, 5, 6].filter { QualityControl.copies(count: $0, frequency: 3) } == [3, 6])
        #expect([1, 2].allSatisfy { QualityControl.copies(count: $0, frequency: 1) })
        #expect(try QualityControl.rule(QualityControlInput(forwardTo: " Lead@Example.com "), agentID: "a").frequency == 1)
        #expect(throws: (any Error).self) { try QualityControl.rule(QualityControlInput(forwardTo: "nobody", frequency: 2), agentID: "a") }
        #expect(throws: (any Error).self) { try QualityControl.rule(QualityControlInput(forwardTo: "lead@example.com", frequency: 0), agentID: "a") }
    }

    @Test("With a rule of one in two, the agent's second and fourth replies request a copy to the reviewer; only administrators set rules")
    func copiesEverySecondReply() async throws {
        try await TicketTestKit.run { client, kit in
            let agent = try await kit.agent()
            let agentToken = try await kit.token(agent, roles: ["Agent"])
            let admin = try await kit.administratorToken()
            let path = "/api/v1/tickets/quality-control/\(agent.lowercased)"
            let (refused, _, _) = try await TicketTestKit.send(client, .put, path, token: agentToken, body: #"{"forwardTo":"lead@example.com","frequency":2}"#)
            #expect(refused == .forbidden)
            let (invalid, _, problem) = try await TicketTestKit.send(client, .put, path, token: admin, body: #"{"forwardTo":"lead","frequency":2}"#)
            #expect(invalid == .unprocessableContent)
            #expect((problem["errors"] as? [[String: String]])?.first?["field"] == "forwardTo")
            let (set, _, rule) = try await TicketTestKit.send(client, .put, path, token: admin, body: #"{"forwardTo":"lead@example.com","frequency":2}"#)
            #expect(set == .ok && rule["frequency"] as? Int == 2)
            let (stranger, strangerHeaders, _) = try await TicketTestKit.send(
                client, .put, "/api/v1/tickets/quality-control/\(UUID().lowercased)", token: admin, body: #"{"forwardTo":"lead@example.com"}"#)
            #expect(stranger == .notFound && strangerHeaders[.contentType] == "application/problem+json", "no rule for a user tickets never heard of")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.quality_control") == 1)

            let customer = try await kit.customer()
            let id = try #require(try await kit.submit(client, token: customer.token)["id"] as? String)
            for index in 1...4 {
                let (replied, _, _) = try await TicketTestKit.send(
                    client, .post, "/api/v1/tickets/\(id)/replies", token: agentToken, body: #"{"body":"Answer \#(index)","sendVariant":"active"}"#)
                #expect(replied == .created)
            }
            #expect(try await kit.eventTypes().filter { $0 == "ticket.quality_copy_requested" }.count == 2)
            #expect(try await kit.count("SELECT replies_counted FROM {schema}.quality_control") == 4)
            let (_, _, listed) = try await TicketTestKit.send(client, .get, "/api/v1/tickets/quality-control", token: admin)
            #expect((listed["items"] as? [[String: Any]])?.first?["forwardTo"] as? String == "lead@example.com")
            let (deleted, _, _) = try await TicketTestKit.send(client, .delete, path, token: admin)
            #expect(deleted == .noContent)
        }
    }
}
