import Contracts
import EventBus
import Foundation
import NIOHTTP1
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite("Operating the fleet", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(20)))
struct FleetOperationsTests {
    @Test("Two identity instances started together both serve behind the gateway and relay each event once")
    func twoInstances() async throws {
        try await withFleet { fleet in
            for _ in 0..<20 {
                let reply = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "demo.localhost")
                #expect(reply.status == 200)
            }
            for index in 0..<2 {
                let metrics = try await TestHTTP.shared.get(fleet.identityURL(index) + "/metrics").text
                #expect(metrics.contains(#"route="/api/v1/identity/brand""#), "identity-\(index + 1) served no brand request")
            }
            let token = try await fleet.signIn()
            var ids: [String] = []
            for index in 0..<6 {
                let reply = try await fleet.createBrand(name: "Pair \(index)", hostname: "pair\(index).localhost", token: token)
                ids.append(try #require(reply.json?["id"] as? String))
            }
            let events = try await fleet.brandEvents(atLeast: 8, settle: .seconds(2))
            for id in ids { #expect(events.filter { $0.subject == id }.count == 1) }
        }
    }

    @Test("Bad input answers problem+json with 400, 401, 403 or 422 and writes nothing")
    func badInput() async throws {
        try await withFleet { fleet in
            let sessions = fleet.gatewayURL + "/api/v1/identity/sessions"
            let host = [("Host", "demo.localhost")]
            let wrong = try await TestHTTP.shared.send(.POST, sessions, headers: host, json: ["email": adminEmail, "password": "nope-nope"])
            #expect(wrong.status == 401)
            let malformed = try await TestHTTP.shared.send(.POST, sessions, headers: host, rawBody: "{\"email\": ")
            #expect(malformed.status == 400)
            let missing = try await TestHTTP.shared.send(.POST, sessions, headers: host, json: ["email": adminEmail])
            #expect(missing.status == 422)
            for reply in [wrong, malformed, missing] { #expect(reply.contentType == "application/problem+json") }

            let before = try await fleet.concierge(["brands", "list"])
            let anonymous = try await TestHTTP.shared.send(
                .POST, fleet.gatewayURL + "/api/v1/identity/brands", headers: host, json: ["name": "No", "hostnames": ["no.localhost"]])
            #expect(anonymous.status == 401)
            let token = try await fleet.signIn()
            let invalid = try await fleet.createBrand(name: "", hostname: "bad host!", token: token)
            #expect(invalid.status == 422)
            #expect(invalid.contentType == "application/problem+json")
            let duplicate = try await fleet.createBrand(name: "Copy", hostname: "demo.localhost", token: token)
            #expect(duplicate.status == 409)
            let forged = try await TestHTTP.shared.send(
                .POST, fleet.gatewayURL + "/api/v1/identity/brands",
                headers: host + [("Authorization", "Bearer \(token)x")], json: ["name": "No", "hostnames": ["no.localhost"]])
            #expect(forged.status == 401)
            let after = try await fleet.concierge(["brands", "list"])
            #expect(after == before)
        }
    }

    @Test("A non-administrator creating a brand gets 403 and nothing is written")
    func nonAdministratorIsForbidden() async throws {
        try await withFleet { fleet in
            let before = try await fleet.concierge(["brands", "list"])
            let agentToken = try await fleet.signInAsNonAdministrator()
            let reply = try await fleet.createBrand(name: "Agent's", hostname: "agent.localhost", token: agentToken)
            #expect(reply.status == 403)
            #expect(reply.contentType == "application/problem+json")
            let after = try await fleet.concierge(["brands", "list"])
            #expect(after == before)
        }
    }

    @Test("The gateway and every service answer /health/ready and /metrics")
    func healthAndMetrics() async throws {
        try await withFleet(.init(otherServices: true)) { fleet in
            var bases = [fleet.gatewayURL, fleet.identityURL(0), fleet.identityURL(1)]
            bases += fleet.others.map { "http://127.0.0.1:\($0.port)" }
            #expect(bases.count == 10)
            for base in bases {
                let ready = try await TestHTTP.shared.get(base + "/health/ready")
                #expect(ready.status == 200, "\(base) not ready: \(ready.text)")
                let live = try await TestHTTP.shared.get(base + "/health/live")
                #expect(live.status == 200)
                let metrics = try await TestHTTP.shared.get(base + "/metrics")
                #expect(metrics.status == 200)
                #expect(metrics.text.contains("http_requests_total"), "\(base) has no request counter")
                #expect(metrics.text.contains("http_request_duration_seconds_bucket"))
            }
            // Each service also listens on its Unix-domain socket in CONCIERGE_SOCKET_DIR, where the gateway forwards.
            for port in fleet.identityPorts + fleet.others.map(\.port) {
                let socket = try #require("\(fleet.logDirectory)/sockets/\(port).sock".addingPercentEncoding(withAllowedCharacters: .alphanumerics))
                let ready = try await TestHTTP.shared.get("http+unix://\(socket)/health/ready")
                #expect(ready.status == 200, "the instance on port \(port) does not answer on its socket")
            }
            // Live chat has no API yet: its own 404 (counted in its metrics) proves the gateway routed there.
            let livechat = try #require(fleet.others.first { $0.service == .livechat })
            let proxied = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/livechat/anything", host: "demo.localhost")
            #expect(proxied.status == 404)
            let livechatMetrics = try await TestHTTP.shared.get("http://127.0.0.1:\(livechat.port)/metrics").text
            #expect(livechatMetrics.contains(#"http_requests_total{method="GET",route="NotFound",status="404"} 1"#), "the gateway does not reach live chat")
        }
    }

    @Test("A stopped service answers 503 problem+json and a service that does not answer in time 504")
    func stoppedAndSlowServices() async throws {
        try await withFleet(.init(gatewayTimeoutMilliseconds: 1500)) { fleet in
            for identity in fleet.identities { identity.signal(SIGSTOP) }
            let slow = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "demo.localhost")
            #expect(slow.status == 504)
            #expect(slow.contentType == "application/problem+json")
            #expect((slow.json?["detail"] as? String)?.hasSuffix("did not answer within 1.5 seconds.") == true)
            for identity in fleet.identities {
                identity.signal(SIGCONT)
                await identity.stop()
            }
            let stopped = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "demo.localhost")
            #expect(stopped.status == 503)
            #expect(stopped.contentType == "application/problem+json")
            try fleet.identities[1].restart()
            try await fleet.waitReady(fleet.identityURL(1), fleet.identities[1])
            let back = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "demo.localhost")
            #expect(back.status == 200, "one live instance must be enough")
        }
    }

    @Test("The gateway drops client-sent internal headers")
    func internalHeadersAreDropped() async throws {
        try await withFleet { fleet in
            let acme = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand", host: "acme.localhost")
            let acmeID = try #require(acme.json?["id"] as? String)
            let spoofed = try await TestHTTP.shared.get(
                fleet.gatewayURL + "/api/v1/identity/brand", host: "demo.localhost",
                headers: [("X-Concierge-Brand-Id", acmeID), ("X-Request-Id", "spoofed-id")])
            #expect(spoofed.json?["name"] as? String == "Demo")
            #expect(spoofed.headers.first(name: "x-request-id") != "spoofed-id")
        }
    }

    @Test("Sign-in, refresh rotation and sign-out work through the gateway")
    func sessionLifecycle() async throws {
        try await withFleet { fleet in
            let host = [("Host", "demo.localhost")]
            let sessions = fleet.gatewayURL + "/api/v1/identity/sessions"
            let signIn = try await TestHTTP.shared.send(.POST, sessions, headers: host, json: ["email": adminEmail, "password": adminPassword])
            #expect(signIn.status == 201)
            let refreshToken = try #require(signIn.json?["refreshToken"] as? String)
            #expect(signIn.json?["expiresIn"] as? Int == 900)
            let refreshed = try await TestHTTP.shared.send(.POST, sessions + "/refresh", headers: host, json: ["refreshToken": refreshToken])
            #expect(refreshed.status == 201)
            let reused = try await TestHTTP.shared.send(.POST, sessions + "/refresh", headers: host, json: ["refreshToken": refreshToken])
            #expect(reused.status == 401, "a rotated refresh token must not work again")
            let access = try #require(refreshed.json?["accessToken"] as? String)
            let newRefresh = try #require(refreshed.json?["refreshToken"] as? String)
            let signOut = try await TestHTTP.shared.send(.DELETE, sessions + "/current", headers: host + [("Authorization", "Bearer \(access)")])
            #expect(signOut.status == 204)
            let afterSignOut = try await TestHTTP.shared.send(.POST, sessions + "/refresh", headers: host, json: ["refreshToken": newRefresh])
            #expect(afterSignOut.status == 401)
        }
    }
}
