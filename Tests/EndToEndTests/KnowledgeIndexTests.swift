import Contracts
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("Knowledge search index is disposable and the same on every instance", .serialized, .enabled(if: TestEnvironment.hasFleet),
       .timeLimit(.minutes(20)))
struct KnowledgeIndexTests {
    /// The fixed queries and the title each must rank in its top 3.
    static let queries: [(query: String, title: String)] = [
        ("reset+password", "Reset your password"),
        ("pasword", "Reset your password"),
        ("printer+driver+-mac", "Install the printer driver on Windows"),
        ("%22two-factor+authentication%22", "Secure your account"),
        ("refunded+invoice", "Refunds for a wrong invoice"),
    ]

    static let corpus: [(title: String, body: String)] = [
        ("Reset your password", "Open the sign-in page, choose Forgot password and follow the link we email you."),
        ("Install the printer driver on Windows", "Download the driver package, run the installer and restart the print spooler."),
        ("Install the printer driver on a Mac", "Open System Settings, add the printer and pick the driver. Mac users need macOS 13."),
        ("Secure your account", "We recommend two-factor authentication with an authenticator app."),
        ("Refunds for a wrong invoice", "If an invoice shows the wrong amount we refund the difference within five days."),
    ] + (0..<25).map { ("Office note \($0)", "printer password invoice account factor note \($0) about the office and its kitchen") }

    /// The top three titles of each fixed query on the instance at `base`, as an employee of `brand`.
    static func answers(_ base: String, brand: String, token: String) async throws -> [[String]] {
        var result: [[String]] = []
        for (query, _) in queries {
            let reply = try await TestHTTP.shared.get(
                base + "/api/v1/knowledge/search?q=\(query)&brandID=\(brand)&language=en&limit=3", headers: [("Authorization", "Bearer \(token)")])
            result.append((reply.json?["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String } ?? [])
        }
        return result
    }

    /// Polls until the instance's index holds the whole burst: 10 new articles, 15 retitled (5 were deleted).
    static func waitForBurst(_ base: String, brand: String, token: String) async throws {
        let start = ContinuousClock.now
        var counts: [Int] = []
        while ContinuousClock.now - start < .seconds(30) {
            counts = []
            for query in ["parking", "rota"] {
                let reply = try? await TestHTTP.shared.get(
                    base + "/api/v1/knowledge/search?q=\(query)&brandID=\(brand)&language=en&limit=50", headers: [("Authorization", "Bearer \(token)")])
                counts.append((reply?.json?["items"] as? [[String: Any]])?.count ?? -1)
            }
            if counts == [10, 15] { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("\(base) never indexed the burst: \(counts)")
    }

    static func expected(_ answers: [[String]]) -> Bool {
        answers.count == queries.count && zip(answers, queries).allSatisfy { $0.contains($1.title) }
    }

    @Test("Two instances answer the fixed queries identically after a burst of edits; a deleted index is rebuilt with the same top 3")
    func disposableAndConsistent() async throws {
        try await withFleet(TestFleet.Options(otherServices: true)) { fleet in
            let token = try await fleet.signIn()
            let admin = [("Host", "demo.localhost"), ("Authorization", "Bearer \(token)")]
            var ids: [String] = []
            var brand = ""
            for (title, body) in Self.corpus {
                let reply = try await TestHTTP.shared.send(
                    .POST, fleet.gatewayURL + "/api/v1/knowledge/articles", headers: admin, json: ["title": title, "bodyHTML": "<p>\(body)</p>"])
                #expect(reply.status == 201)
                ids.append(try #require(reply.json?["id"] as? String))
                brand = try #require(reply.json?["brandID"] as? String)
            }

            let first = try #require(fleet.others.first { $0.service == .knowledge })
            let port = FreePort.next()
            var environment = first.process.environment
            environment[ServiceName.knowledge.environmentPrefix + "PORT"] = "\(port)"
            environment["CONCIERGE_DATA_DIR"] = fleet.logDirectory + "/data/knowledge-2"
            environment["CONCIERGE_INSTANCE"] = "knowledge-2"
            let second = ManagedProcess(name: "knowledge-2", executable: first.process.executable, environment: environment, logDirectory: fleet.logDirectory)
            try second.start()
            do {
                try await Self.compare(fleet, second: second, port: port, ids: ids, brand: brand, token: token)
            } catch {
                await second.stop(grace: .seconds(5))
                throw error
            }
            await second.stop(grace: .seconds(5))
        }
    }

    /// The burst of edits, both instances' answers, then the first instance's rebuild from an empty index.
    static func compare(_ fleet: TestFleet, second: ManagedProcess, port: Int, ids: [String], brand: String, token: String) async throws {
        let admin = [("Host", "demo.localhost"), ("Authorization", "Bearer \(token)")]
        let first = try #require(fleet.others.first { $0.service == .knowledge })
        try await fleet.waitReady("http://127.0.0.1:\(port)", second)

        // A burst of edits from several agents at once: retitle fillers, delete some, add more.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (offset, id) in ids.suffix(20).enumerated() {
                group.addTask {
                    if offset % 4 == 0 {
                        _ = try await TestHTTP.shared.send(.DELETE, fleet.gatewayURL + "/api/v1/knowledge/articles/\(id)", headers: admin)
                    } else {
                        _ = try await TestHTTP.shared.send(
                            .PUT, fleet.gatewayURL + "/api/v1/knowledge/articles/\(id)", headers: admin,
                            json: ["title": "Kitchen rota \(offset)", "bodyHTML": "<p>Dishes and coffee, week \(offset).</p>"])
                    }
                }
            }
            for extra in 0..<10 {
                group.addTask {
                    _ = try await TestHTTP.shared.send(
                        .POST, fleet.gatewayURL + "/api/v1/knowledge/articles", headers: admin,
                        json: ["title": "Parking \(extra)", "bodyHTML": "<p>printer invoice parking space \(extra)</p>"])
                }
            }
            try await group.waitForAll()
        }

        let one = "http://127.0.0.1:\(first.port)"
        let two = "http://127.0.0.1:\(port)"
        try await Self.waitForBurst(one, brand: brand, token: token)
        try await Self.waitForBurst(two, brand: brand, token: token)
        let settledOne = try await Self.answers(one, brand: brand, token: token)
        let settledTwo = try await Self.answers(two, brand: brand, token: token)
        #expect(Self.expected(settledOne), "instance 1: \(settledOne)")
        #expect(settledTwo == settledOne, "instance 2 answers as instance 1 does")

        await first.process.stop(grace: .seconds(10))
        try FileManager.default.removeItem(atPath: fleet.dataDirectory(of: .knowledge) + "/articles-index")
        try first.process.restart()
        try await fleet.waitReady(one, first.process)
        try await Self.waitForBurst(one, brand: brand, token: token)
        let rebuilt = try await Self.answers(one, brand: brand, token: token)
        #expect(rebuilt == settledOne, "the rebuilt index gives the same top 3")
    }
}
