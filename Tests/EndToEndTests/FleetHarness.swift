import Contracts
import EventBus
import Foundation
import NIOHTTP1
import TestSupport

/// Runs `body` against a freshly started fleet and stops every process afterwards, also when the body failed.
/// Waits for one of the `FleetSlots` first.
func withFleet(_ options: TestFleet.Options = .init(), _ body: (TestFleet) async throws -> Void) async throws {
    await FleetSlots.shared.acquire()
    let fleet: TestFleet
    do {
        fleet = try await TestFleet.start(options)
    } catch {
        await FleetSlots.shared.release()
        throw error
    }
    do {
        try await body(fleet)
    } catch {
        await fleet.shutdown()
        await FleetSlots.shared.release()
        throw error
    }
    await fleet.shutdown()
    await FleetSlots.shared.release()
}

/// How many fleets run at once (CONCIERGE_TEST_FLEETS, default 2): each is a dozen processes, and many at a time on
/// two cores turn every latency the tests check into a measure of the machine's load.
actor FleetSlots {
    static let shared = FleetSlots(limit: Int(ProcessInfo.processInfo.environment["CONCIERGE_TEST_FLEETS"] ?? "") ?? 2)

    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot to the next waiting fleet, or frees it.
    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

let adminEmail = "admin@demo.localhost"
let adminPassword = "concierge-admin"

extension TestFleet {
    func signIn(email: String = adminEmail, password: String = adminPassword) async throws -> String {
        let reply = try await TestHTTP.shared.send(
            .POST, gatewayURL + "/api/v1/identity/sessions", headers: [("Host", "demo.localhost")],
            json: ["email": email, "password": password])
        guard reply.status == 201, let token = reply.json?["accessToken"] as? String else {
            throw TestSetupError("sign-in failed: \(reply.status) \(reply.text)")
        }
        return token
    }

    /// A signed-in user who is not a system administrator (created with `concierge create-user`).
    func signInAsNonAdministrator() async throws -> String {
        let email = "agent-\(UUID().uuidString.prefix(8).lowercased())@demo.localhost"
        try await concierge(["create-user", "--email", email, "--password", "agent-password"])
        return try await signIn(email: email, password: "agent-password")
    }

    func createBrand(name: String, hostname: String, token: String, baseURL: String? = nil) async throws -> TestHTTP.Reply {
        try await TestHTTP.shared.send(
            .POST, (baseURL ?? gatewayURL) + "/api/v1/identity/brands",
            headers: [("Host", "demo.localhost"), ("Authorization", "Bearer \(token)")],
            json: ["name": name, "hostnames": [hostname]])
    }

    /// Polls the gateway until `hostname` resolves to a brand; returns how long that took, or nil.
    func waitForHost(_ hostname: String, timeout: Duration) async -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if let reply = try? await TestHTTP.shared.get(gatewayURL + "/api/v1/identity/brand", host: hostname), reply.status == 200 {
                return ContinuousClock.now - start
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func brandEvents(
        subject: String? = nil, atLeast count: Int, timeout: Duration = .seconds(20), settle: Duration = .zero
    ) async throws -> [CloudEventHeader] {
        let messages = try await TopicReader.read(
            brokers: brokers, topic: ServiceName.identity.eventsTopic, timeout: timeout, settle: settle
        ) { messages in
            messages.compactMap { try? CloudEventCoding.decodeHeader($0.value) }.filter { subject == nil || $0.subject == subject }.count >= count
        }
        return messages.compactMap { try? CloudEventCoding.decodeHeader($0.value) }.filter { subject == nil || $0.subject == subject }
    }
}
