import Contracts
import EventBus
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("Brands through the gateway", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(20)))
struct BrandsThroughTheGatewayTests {
    @Test("The demo host answers its brand and an unknown host answers 404 problem+json")
    func demoHostAndUnknownHost() async throws {
        try await withFleet { fleet in
            let demo = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "demo.localhost")
            #expect(demo.status == 200)
            #expect(demo.json?["name"] as? String == "Demo")
            #expect(demo.json?["hostnames"] as? [String] == ["demo.localhost"])
            let acme = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "acme.localhost:8080")
            #expect(acme.json?["name"] as? String == "Acme")
            let nowhere = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "nowhere.example")
            #expect(nowhere.status == 404)
            #expect(nowhere.contentType == "application/problem+json")
            #expect(nowhere.json?["type"] as? String == "https://concierge.dev/problems/unknown-host")
        }
    }

    @Test("A new brand's host resolves within 5 s and its brand.created CloudEvent is on identity.events")
    func newBrandResolvesQuickly() async throws {
        try await withFleet { fleet in
            let token = try await fleet.signIn()
            let created = try await fleet.createBrand(name: "New", hostname: "new.localhost", token: token)
            #expect(created.status == 201)
            let id = try #require(created.json?["id"] as? String)
            let elapsed = await fleet.waitForHost("new.localhost", timeout: .seconds(5))
            #expect(elapsed != nil, "new.localhost did not resolve within 5 s")
            let events = try await fleet.brandEvents(subject: id, atLeast: 1)
            let event = try #require(events.first)
            #expect(event.type == "brand.created")
            #expect(event.specversion == "1.0")
            #expect(event.source == "identity")
            #expect(event.brandid == id)
        }
    }

    @Test("A brand changed through PATCH moves its hostname at the gateway, and a stale If-Match answers 412")
    func patchedHostnamesMove() async throws {
        try await withFleet { fleet in
            let token = try await fleet.signIn()
            let created = try await fleet.createBrand(name: "Moving", hostname: "before.localhost", token: token)
            let id = try #require(created.json?["id"] as? String)
            let auth = [("Host", "demo.localhost"), ("Authorization", "Bearer \(token)")]
            let patched = try await TestHTTP.shared.send(
                .PATCH, fleet.gatewayURL + "/api/v1/identity/brands/\(id)", headers: auth + [("If-Match", "\"1\"")],
                json: ["hostnames": ["after.localhost"]])
            #expect(patched.status == 200)
            #expect(patched.json?["version"] as? Int == 2)
            #expect(await fleet.waitForHost("after.localhost", timeout: .seconds(5)) != nil)
            let old = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "before.localhost")
            #expect(old.status == 404)
            let stale = try await TestHTTP.shared.send(
                .PATCH, fleet.gatewayURL + "/api/v1/identity/brands/\(id)", headers: auth + [("If-Match", "\"1\"")],
                json: ["name": "Stale"])
            #expect(stale.status == 412)
            let updated = try await fleet.brandEvents(subject: id, atLeast: 2)
            #expect(updated.map(\.type) == ["brand.created", "brand.updated"])
        }
    }
}
