import Contracts
import EventBus
import Foundation
import NIOHTTP1
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite("Nothing a user sent is lost", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(20)))
struct NothingIsLostTests {
    @Test("A brand created while the broker is down answers 201 and its event is delivered exactly once after the broker returns")
    func brokerOutage() async throws {
        try await withFleet { fleet in
            let token = try await fleet.signIn()
            await fleet.killBroker()
            let created = try await fleet.createBrand(name: "Offline", hostname: "offline.localhost", token: token)
            #expect(created.status == 201)
            let id = try #require(created.json?["id"] as? String)
            try await Task.sleep(for: .seconds(1))
            try await fleet.startBroker()
            let events = try await fleet.brandEvents(subject: id, atLeast: 1, timeout: .seconds(40), settle: .seconds(3))
            #expect(events.count == 1, "expected exactly one brand.created, got \(events.count)")
            #expect(await fleet.waitForHost("offline.localhost", timeout: .seconds(30)) != nil)
        }
    }

    @Test("kill -9 of identity during writes loses no committed brand and no event, and consumers see each event once")
    func killDuringWrites() async throws {
        try await withFleet { fleet in
            let token = try await fleet.signIn()
            let accepted = AcceptedIDs()
            let target = fleet.identityURL(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        for index in 0..<40 {
                            let name = "w\(worker)-\(index)"
                            guard let reply = try? await fleet.createBrand(name: name, hostname: "\(name).kill.localhost", token: token, baseURL: target)
                            else { return }
                            if reply.status == 201, let id = reply.json?["id"] as? String { await accepted.add(id) }
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(700))
                    fleet.identities[0].signal(SIGKILL)
                }
                try await group.waitForAll()
            }
            let ids = await accepted.ids
            #expect(!ids.isEmpty)
            try await Task.sleep(for: .milliseconds(300))
            try fleet.identities[0].restart()
            try await fleet.waitReady(fleet.identityURL(0), fleet.identities[0])
            let listed = try await fleet.concierge(["brands", "list"])
            for id in ids { #expect(listed.contains(id), "brand \(id) answered 201 but is not stored") }
            let committed = listed.split(separator: "\n").filter { $0.contains(".kill.localhost") }.count
            let events = try await fleet.brandEvents(atLeast: committed + 3, timeout: .seconds(40), settle: .seconds(2))
            let killSubjects = Set(events.filter { $0.type == "brand.created" }.map(\.subject))
            for id in ids { #expect(killSubjects.contains(id), "no event for committed brand \(id)") }
            // Event ids are the consumers' dedupe key: a redelivered message carries the same id, never a new one.
            let perSubject = Dictionary(grouping: events, by: \.subject)
            for (subject, subjectEvents) in perSubject {
                #expect(Set(subjectEvents.map(\.id)).count == 1, "brand \(subject) has more than one distinct event id")
            }
        }
    }

    @Test("After a broker restart that lost its data, concierge replay brings the gateway's brand cache back in step")
    func replayAfterDataLoss() async throws {
        try await withFleet { fleet in
            let token = try await fleet.signIn()
            let before = Date().addingTimeInterval(-1)
            // Freeze the gateway so it cannot read the event before the broker loses it.
            fleet.gateway.signal(SIGSTOP)
            let created = try await fleet.createBrand(
                name: "Lost", hostname: "lost.localhost", token: token, baseURL: fleet.identityURL(1))
            #expect(created.status == 201)
            let id = try #require(created.json?["id"] as? String)
            _ = try await fleet.brandEvents(subject: id, atLeast: 1)
            await fleet.killBroker()
            try await fleet.startBroker()
            fleet.gateway.signal(SIGCONT)
            #expect(await fleet.waitForHost("lost.localhost", timeout: .seconds(8)) == nil, "the gateway should have missed the event")
            let output = try await fleet.concierge(["replay", "--service", "identity", "--since", before.formatted(.iso8601)])
            #expect(output.contains("identity:"))
            // The gateway finds the recreated topic at its next metadata refresh (10 s), rejoins its group and reads from
            // the start of the new log: 14 s on a quiet machine, and more than 30 s once, with builds beside the tests.
            #expect(await fleet.waitForHost("lost.localhost", timeout: .seconds(60)) != nil, "replay did not reach the gateway")
        }
    }
}

/// The ids of brands the API answered 201 for, collected from concurrent writers.
actor AcceptedIDs {
    private(set) var ids: [String] = []

    func add(_ id: String) {
        ids.append(id)
    }
}
