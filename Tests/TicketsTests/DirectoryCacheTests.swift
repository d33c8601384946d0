import Database
import Foundation
import HTTPTypes
import PostgresNIO
import Synchronization
import Testing
import TestSupport
import TicketsApp

@Suite("Directory cache", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct DirectoryCacheTests {
    @Test("An agent's groups are read once, kept through distribution, and read again as soon as a membership changes")
    func membershipsFollowChanges() async throws {
        try await TicketTestKit.run { _, kit in
            // Written before the listener connects: a notification of this write arriving after the first read
            // would empty the cache the test then expects to hold.
            let agent = try await kit.agent()
            try await kit.withChangeListener {
                let cache = kit.api.store.directoryCache.memberships
                try await kit.eventually("the listener connects and the agent's groups are kept") {
                    _ = try await kit.api.store.memberships(of: agent)
                    return cache.count == 1
                }

                _ = try await kit.count("UPDATE {schema}.agent_groups SET allocated = allocated + 1, last_assigned_at = now() RETURNING 0")
                try await Task.sleep(for: .milliseconds(300))
                #expect(cache.count == 1, "assigning a ticket moves counters, not memberships")

                let second = UUID()
                try await kit.identity("group.created", ["id": second.lowercased, "departmentID": kit.departmentID.lowercased, "name": "Second Line"])
                try await kit.agent(in: second, id: agent)
                try await kit.eventually("the new group shows at once") {
                    try await kit.api.store.memberships(of: agent).count == 2
                }
                try await kit.identity("group.deleted", ["groupID": second.lowercased])
                try await kit.eventually("a deleted group is gone at once") {
                    try await kit.api.store.memberships(of: agent).map(\.group) == [kit.frontLineID]
                }
            }
        }
    }

    @Test("A department opened to outside managers is seen by the next request")
    func departmentsFollowChanges() async throws {
        try await TicketTestKit.run { _, kit in
            try await kit.withChangeListener {
                #expect(try await kit.api.store.departmentsOpenToOutsideManagers().isEmpty)
                try await kit.eventually("the listener connects and the list is kept") {
                    _ = try await kit.api.store.departmentsOpenToOutsideManagers()
                    return kit.api.store.directoryCache.departmentLists.count == 1
                }
                _ = try await kit.count("UPDATE {schema}.departments SET open_to_outside_managers = true RETURNING 0")
                try await kit.eventually("the change is read") {
                    try await kit.api.store.departmentsOpenToOutsideManagers() == [kit.departmentID]
                }
            }
        }
    }

    @Test("A new ticket's department is read once, and a change to it is seen by the next submission")
    func newTicketsDepartmentFollowsChanges() async throws {
        try await TicketTestKit.run { client, kit in
            let customer = try await kit.customer()
            try await kit.withChangeListener {
                let cache = kit.api.store.directoryCache.departments
                try await kit.eventually("the listener connects and the department is kept") {
                    _ = try await kit.submit(client, token: customer.token)
                    return cache.count == 1
                }
                _ = try await kit.count("UPDATE {schema}.departments SET hidden_from_portal = true RETURNING 0")
                try await kit.eventually("the hidden department refuses the next portal ticket") {
                    let (status, _, _) = try await TicketTestKit.send(
                        client, .post, "/api/v1/tickets", token: customer.token,
                        body: #"{"departmentID":"\#(kit.departmentID.lowercased)","subject":"Again","body":"Still smoking."}"#)
                    return status == .unprocessableContent
                }
            }
        }
    }

    /// Records what a listener tells a cache about its listening.
    final class ListeningProbe: ChangeNotified {
        private let told = Mutex<[Bool]>([])
        var changes: [Bool] { told.withLock { $0 } }
        func changed() {}
        func listening(_ listening: Bool) { told.withLock { $0.append(listening) } }
    }

    @Test("A listener whose connection does not answer its heartbeat in time stops the caches keeping, and listens again")
    func unansweredHeartbeat() async throws {
        try await TicketTestKit.run { _, kit in
            let probe = ListeningProbe()
            let listener = ChangeListener(
                database: kit.database, subscriptions: [ChangeListener.Subscription(channel: "heartbeat_test", caches: [probe])], gate: nil,
                heartbeat: (every: .milliseconds(100), answerWithin: .zero))
            let task = Task { await listener.run() }
            defer { task.cancel() }
            try await kit.eventually("listening, stopped by the unanswered heartbeat, listening again") {
                probe.changes.starts(with: [true, false, true])
            }
        }
    }
}

extension TicketTestKit {
    /// Runs `body` while the executable's change listener (directory cache and list pages) runs, and stops it after.
    func withChangeListener(_ body: () async throws -> Void) async throws {
        let listener = Task { await api.changeListener(gate: nil).run() }
        defer { listener.cancel() }
        try await body()
    }

    /// Waits up to five seconds for `condition`, checking every 20 ms.
    func eventually(_ what: Comment, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record(what)
    }
}
