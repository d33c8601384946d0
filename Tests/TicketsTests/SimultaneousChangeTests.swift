import Database
import Foundation
import HTTPTypes
import PostgresNIO
import ServiceKit
import Testing
import TestSupport
import TicketsApp

@Suite("Simultaneous changes of one ticket", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct SimultaneousChangeTests {
    @Test("Many replies and comments sent to one ticket at once all finish, one after another: nothing a change reads while it holds the ticket waits for the pool its waiters hold")
    func repliesAndCommentsAtOnce() async throws {
        try await TicketTestKit.run { client, kit in
            let token = try await kit.token(try await kit.agent(), roles: ["Agent"])
            let id = try #require(try await kit.submit(client, token: try await kit.customer().token)["id"] as? String)
            let changes = 16
            let statuses = try await withDeadline(.seconds(240)) {
                try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for index in 0..<changes {
                        let (path, body) = index.isMultiple(of: 2)
                            ? ("replies", #"{"body":"Reply \#(index).","sendVariant":"active"}"#) : ("comments", #"{"body":"Note \#(index)."}"#)
                        group.addTask { try await TicketTestKit.send(client, .post, "/api/v1/tickets/\(id)/\(path)", token: token, body: body).0 }
                    }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
            }
            #expect(statuses.count == changes && statuses.allSatisfy { $0 == .created }, "\(statuses)")
            #expect(try await kit.count("SELECT messages_out FROM {schema}.tickets WHERE id = '\(id)'") == changes / 2)
        }
    }

    @Test("Agents closing their tickets at once while the queue waits never deadlock: every close frees room the queue fills, in the order every transaction locks")
    func closesWhileTheQueueWaits() async throws {
        try await TicketTestKit.run { client, kit in
            var tokens: [String: String] = [:]
            for _ in 0..<4 {
                let agent = try await kit.agent(maxTickets: 3)
                tokens[agent.lowercased] = try await kit.token(agent, roles: ["Agent"])
            }
            let customer = try await kit.customer().token
            for index in 0..<18 { _ = try await kit.submit(client, token: customer, subject: "Printer \(index)") }
            let rows = try await kit.database.client.query(PostgresQuery(unsafeSQL: "SELECT id, agent_id FROM \(kit.database.table("tickets")) WHERE agent_id IS NOT NULL"))
            var owned: [(ticket: String, token: String)] = []
            for try await (ticket, agent) in rows.decode((UUID, UUID).self) {
                if let token = tokens[agent.lowercased] { owned.append((ticket.lowercased, token)) }
            }
            #expect(owned.count == 12, "four agents at their Max Tickets of 3, six tickets queued")
            let closing = owned
            let deadlocks = "SELECT deadlocks::int FROM pg_stat_database WHERE datname = current_database()"
            let before = try await kit.count(deadlocks)
            let statuses = try await withDeadline(.seconds(240)) {
                try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for (ticket, token) in closing {
                        group.addTask {
                            try await TicketTestKit.send(client, .put, "/api/v1/tickets/\(ticket)/status", token: token, body: #"{"status":"closed"}"#).0
                        }
                    }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
            }
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
            try await Task.sleep(for: .seconds(1))
            #expect(try await kit.count(deadlocks) == before, "no transaction was chosen as a deadlock's victim (and retried)")
            #expect(try await kit.count("SELECT count(*)::int FROM {schema}.tickets WHERE agent_id IS NULL AND status = 'active'") == 0, "the queue drained")
        }
    }
}
