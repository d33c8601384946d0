import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("Knowledge base through the gateway", .serialized, .enabled(if: TestEnvironment.hasFleet), .timeLimit(.minutes(20)))
struct KnowledgeThroughTheGatewayTests {
    /// Polls the brand host's search until `check` holds; answers the hits and how long the change took to show: until
    /// the first search that saw it was sent. That search's own round trip is not the index's delay, and on a machine
    /// running two fleets and the suite at once it alone can take hundreds of milliseconds.
    static func search(
        _ fleet: TestFleet, host: String, query: String, headers: [(String, String)] = [], _ check: ([[String: Any]]) -> Bool
    ) async throws -> ([[String: Any]], Duration) {
        let start = ContinuousClock.now
        var last: [[String: Any]] = []
        while ContinuousClock.now - start < .seconds(15) {
            let sent = ContinuousClock.now
            let reply = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/knowledge/search?q=\(query)", host: host, headers: headers)
            last = (reply.json?["items"] as? [[String: Any]]) ?? []
            if reply.status == 200 && check(last) { return (last, sent - start) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("search for \(query) on \(host) never matched: \(last)")
    }

    @Test("Each brand's host finds and shows only its own public articles within a second; drafts stay hidden; pages carry canonical links")
    func twoBrandPortals() async throws {
        try await withFleet(TestFleet.Options(otherServices: true)) { fleet in
            let token = try await fleet.signIn()
            func create(_ host: String, _ title: String, draft: Bool = false) async throws -> String {
                let reply = try await TestHTTP.shared.send(
                    .POST, fleet.gatewayURL + "/api/v1/knowledge/articles", headers: [("Host", host), ("Authorization", "Bearer \(token)")],
                    json: ["title": title, "summary": "All about \(title).", "bodyHTML": "<p>\(title) explained.</p>", "isDraft": draft])
                #expect(reply.status == 201)
                return try #require(reply.json?["id"] as? String)
            }
            let demo = try await create("demo.localhost", "Printer setup")
            let draft = try await create("demo.localhost", "Printer recall", draft: true)
            // The first search waits for the index feed to join its consumer group on the fresh broker.
            let (demoHits, _) = try await Self.search(fleet, host: "demo.localhost", query: "printer") { !$0.isEmpty }
            #expect(demoHits.compactMap { $0["id"] as? String } == [demo], "not the draft")

            let acme = try await create("acme.localhost", "Printer warranty")
            let (acmeHits, saved) = try await Self.search(fleet, host: "acme.localhost", query: "printer") { !$0.isEmpty }
            #expect(saved < .seconds(1), "an article saved is searchable within a second (took \(saved))")
            #expect(acmeHits.compactMap { $0["id"] as? String } == [acme], "not Demo's article")
            let (demoAgain, _) = try await Self.search(fleet, host: "demo.localhost", query: "printer") { !$0.isEmpty }
            #expect(demoAgain.compactMap { $0["id"] as? String } == [demo], "not Acme's article")
            let (staffHits, _) = try await Self.search(
                fleet, host: "demo.localhost", query: "printer", headers: [("Authorization", "Bearer \(token)")]) { $0.count == 2 }
            #expect(Set(staffHits.compactMap { $0["id"] as? String }) == [demo, draft])

            let page = try await TestHTTP.shared.get(fleet.gatewayURL + "/kb/\(demo)/printer-setup", host: "demo.localhost")
            #expect(page.status == 200)
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(html.contains(#"<link rel="canonical" href="http://demo.localhost/kb/\#(demo)/printer-setup">"#))
            #expect(html.contains(#"<meta name="description" content="All about Printer setup.">"#))
            let foreign = try await TestHTTP.shared.get(fleet.gatewayURL + "/kb/\(demo)/printer-setup", host: "acme.localhost")
            #expect(foreign.status == 404)
            let hidden = try await TestHTTP.shared.get(fleet.gatewayURL + "/kb/\(draft)/printer-recall", host: "demo.localhost")
            #expect(hidden.status == 404)
            let sitemap = try await TestHTTP.shared.get(fleet.gatewayURL + "/kb/sitemap.xml", host: "demo.localhost")
            let urls = String(decoding: sitemap.body, as: UTF8.self)
            #expect(urls.contains("/kb/\(demo)/printer-setup") && !urls.contains(draft) && !urls.contains(acme))

            let madePrivate = try await TestHTTP.shared.send(
                .PUT, fleet.gatewayURL + "/api/v1/knowledge/articles/\(demo)", headers: [("Host", "demo.localhost"), ("Authorization", "Bearer \(token)")],
                json: ["title": "Printer setup", "summary": "All about Printer setup.", "bodyHTML": "<p>Printer setup explained.</p>", "isPrivate": true])
            #expect(madePrivate.status == 200)
            let (_, privatized) = try await Self.search(fleet, host: "demo.localhost", query: "printer") { $0.isEmpty }
            #expect(privatized < .seconds(1), "an article made private disappears from visitors' search within a second (took \(privatized))")

            try await Self.identitySettingsReachKnowledge(fleet, token: token, acmeArticle: acme)
        }
    }

    /// Settings changed in identity reach the knowledge service through `identity.events`: Acme's portal closes
    /// its articles to anonymous visitors, and a shorter stale-after period moves the stale date of saved articles.
    static func identitySettingsReachKnowledge(_ fleet: TestFleet, token: String, acmeArticle: String) async throws {
        let admin = [("Authorization", "Bearer \(token)")]
        let acmeSettings = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/identity/brand/settings", host: "acme.localhost")
        let acmeBrand = try #require(acmeSettings.json?["brandID"] as? String)
        let gated = try await TestHTTP.shared.send(
            .PATCH, fleet.gatewayURL + "/api/v1/identity/brands/\(acmeBrand)/settings", headers: [("Host", "acme.localhost")] + admin,
            rawBody: #"{"permissions":{"viewKBArticlesRequires":"Registered User"}}"#)
        #expect(gated.status == 200)
        let closed = try await poll {
            try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/knowledge/search?q=printer", host: "acme.localhost").status == 401
        }
        #expect(closed, "Acme's knowledge base asks anonymous visitors to sign in")
        let demoOpen = try await TestHTTP.shared.get(fleet.gatewayURL + "/api/v1/knowledge/articles", host: "demo.localhost")
        #expect(demoOpen.status == 200, "Demo keeps the default, Everyone")

        let changed = try await TestHTTP.shared.send(
            .PATCH, fleet.gatewayURL + "/api/v1/identity/settings/management", headers: [("Host", "demo.localhost")] + admin,
            rawBody: #"{"staleAfterDays":1}"#)
        #expect(changed.status == 200)
        let moved = try await poll {
            let article = try await TestHTTP.shared.get(
                fleet.gatewayURL + "/api/v1/knowledge/articles/\(acmeArticle)", host: "acme.localhost", headers: admin)
            guard let staleAt = (article.json?["staleAt"] as? String).flatMap({ try? Date($0, strategy: .iso8601) }) else { return false }
            return staleAt.timeIntervalSinceNow < 2 * 86_400
        }
        #expect(moved, "the article's stale date follows the new period")
    }

    /// Polls `check` for up to 15 s.
    static func poll(_ check: () async throws -> Bool) async throws -> Bool {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(15) {
            if try await check() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
