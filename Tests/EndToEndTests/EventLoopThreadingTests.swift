import Contracts
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("A fleet running on event loops", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(10)))
struct EventLoopThreadingTests {
    @Test(
        "Every process runs its tasks where CONCIERGE_RUN_ON_EVENT_LOOPS says, on as many loops as CONCIERGE_EVENT_LOOPS says, answers through the gateway and stops promptly",
        arguments: [("true", "event loops", 1), ("false", "swift pool", 3)])
    func fleetOnEventLoops(setting: String, executor: String, loops: Int) async throws {
        let environment = ["CONCIERGE_RUN_ON_EVENT_LOOPS": setting, "CONCIERGE_EVENT_LOOPS": String(loops)]
        try await withFleet(.init(otherServices: true, environment: environment)) { fleet in
            let token = try await fleet.signIn()
            let auth = [("Host", "demo.localhost"), ("Authorization", "Bearer \(token)")]
            let me = try await TestHTTP.shared.send(.GET, fleet.gatewayURL + "/api/v1/identity/me", headers: auth)
            #expect(me.status == 200)
            let mine = try await TestHTTP.shared.send(.GET, fleet.gatewayURL + "/api/v1/tickets?view=mine&status=active", headers: auth)
            #expect(mine.status == 200)
            let processes = [fleet.gateway] + fleet.identities + fleet.others.map(\.process)
            for process in processes {
                let log = process.logTail(400)
                #expect(log.contains(#""executor":"\#(executor)""#), "\(process.name) did not run its tasks on \(executor)")
                #expect(log.contains(#""event_loops":"\#(loops)""#), "\(process.name) did not run \(loops) event loops")
            }
            for process in processes {
                let asked = ContinuousClock.now
                await process.stop(grace: .seconds(12))
                #expect(
                    ContinuousClock.now - asked < .seconds(6),
                    "\(process.name) took longer than 6 s to stop; its log ends:\n\(process.logTail(60))")
            }
        }
    }
}
