import Foundation
import HTTPTypes
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
            let changes = 24
            let statuses = try await withDeadline(.seconds(60)) {
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
}
