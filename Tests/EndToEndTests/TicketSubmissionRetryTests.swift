import Contracts
import Foundation
import NIOHTTP1
import Synchronization
import Testing
import TestSupport

@Suite("Portal submissions outlive a killed tickets service", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(20)))
struct TicketSubmissionRetryTests {
    static let submissions = 200
    static let lanes = 4

    @Test("Submissions cut off by kill -9 of the tickets service are each made exactly once when sent again with their Idempotency-Keys and CAPTCHA solutions")
    func retriedAfterKill() async throws {
        try await withFleet(TestFleet.Options(otherServices: true)) { fleet in
            let host = [("Host", "demo.localhost")]
            let admin = host + [("Authorization", "Bearer \(try await fleet.signIn())")]
            let (departmentID, _) = try await TicketsThroughTheGatewayTests.department(fleet, admin: admin)
            let tickets = try #require(fleet.others.first { $0.service == .tickets })
            // Each visitor solved their own CAPTCHA, and sends the same solution again with their retry.
            var solved: [[String: String]] = []
            for _ in 0..<Self.submissions { solved.append(try await PortalCaptcha.solved(fleet)) }
            let captchas = solved
            let submit: @Sendable (Int) async -> (status: Int, id: String?) = { index in
                let reply = try? await TestHTTP.shared.send(
                    .POST, fleet.gatewayURL + "/api/v1/tickets", headers: host + [("Idempotency-Key", "retry-after-kill-\(index)")],
                    json: [
                        "departmentID": departmentID, "subject": "Submission \(index)", "body": "Please help.", "email": "burst@customer.example",
                        "captcha": captchas[index],
                    ] as [String: Any])
                return (reply?.status ?? 0, reply?.json?["id"] as? String)
            }

            // Four clients submit in turn; after the first 20 answers, the tickets service is killed mid-stream.
            let answered = AnswerCount()
            let firstTry = try await withThrowingTaskGroup(of: [(Int, Int, String?)].self) { group in
                for lane in 0..<Self.lanes {
                    group.addTask {
                        var results: [(Int, Int, String?)] = []
                        for index in stride(from: lane, to: Self.submissions, by: Self.lanes) {
                            let (status, id) = await submit(index)
                            results.append((index, status, id))
                            answered.add()
                        }
                        return results
                    }
                }
                group.addTask {
                    while answered.value < 20 { try await Task.sleep(for: .milliseconds(2)) }
                    await tickets.process.killHard()
                    return []
                }
                return try await group.reduce(into: [Int: (status: Int, id: String?)]()) { all, results in
                    for (index, status, id) in results { all[index] = (status, id) }
                }
            }
            let made = firstTry.filter { $0.value.status == 201 }
            let cutOff = firstTry.count - made.count
            #expect(!made.isEmpty && cutOff > 0, "the kill fell among the submissions: \(made.count) answered 201, \(cutOff) cut off")

            try tickets.process.restart()
            try await fleet.waitReady("http://127.0.0.1:\(tickets.port)", tickets.process)
            var ids: [Int: String] = [:]
            for index in 0..<Self.submissions {
                let (status, id) = await submit(index)
                #expect(status == 201, "submission \(index) sent again")
                ids[index] = id
            }
            for (index, first) in made { #expect(ids[index] == first.id, "submission \(index), answered before the kill, replays its ticket") }
            #expect(Set(ids.values).count == Self.submissions, "one ticket per submission")
            let view = try await TestHTTP.shared.send(
                .GET, fleet.gatewayURL + "/api/v1/tickets?view=department&id=\(departmentID)&status=active&limit=1", headers: admin)
            #expect((view.json?["counts"] as? [String: Any])?["active"] as? Int == Self.submissions, "no ticket lost, none made twice")
        }
    }
}

/// How many first tries have been answered, read by the task that kills the service.
final class AnswerCount: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func add() { count.withLock { $0 += 1 } }
}
