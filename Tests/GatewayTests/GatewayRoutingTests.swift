import Contracts
import GatewayApp
import ServiceKit
import HTTPTypes
import Testing

@Suite("Gateway routing")
struct GatewayRoutingTests {
    @Test("A Host header maps to its hostname without port, case or trailing dot")
    func hostHeader() {
        #expect(HostHeader.hostname("Demo.LocalHost:8080") == "demo.localhost")
        #expect(HostHeader.hostname("demo.localhost.") == "demo.localhost")
        #expect(HostHeader.hostname(nil) == nil)
        #expect(HostHeader.hostname("evil host") == nil)
    }

    @Test("Paths under /api/v1 route to their service; others fall through")
    func serviceRoute() {
        #expect(ServiceRoute.match(path: "/api/v1/identity/brand") == .service(.identity))
        #expect(ServiceRoute.match(path: "/api/v1/tickets") == .service(.tickets))
        #expect(ServiceRoute.match(path: "/api/v1/nothing/x") == .unknownService("nothing"))
        #expect(ServiceRoute.match(path: "/kb/1b4e28ba-2fa1-11d2-883f-0016d3cca427/printer-setup") == .service(.knowledge))
        #expect(ServiceRoute.match(path: "/kb/sitemap.xml") == .service(.knowledge))
        #expect(ServiceRoute.match(path: "/kbx") == .notAPI)
        #expect(ServiceRoute.match(path: "/health/ready") == .notAPI)
    }

    @Test("Round-robin takes instances in turn and offers the others as fallbacks")
    func roundRobin() {
        let pool = RoundRobin(instances: ["a", "b", "c"])
        #expect(pool.order() == ["a", "b", "c"])
        #expect(pool.order() == ["b", "c", "a"])
        #expect(pool.order() == ["c", "a", "b"])
        #expect(RoundRobin(instances: ["solo"]).order() == ["solo"])
    }

    @Test("Client copies of internal headers and hop-by-hop headers are dropped; the gateway's own are added")
    func forwardedHeaders() throws {
        var client = HTTPFields()
        client[HTTPField.Name("X-Concierge-Brand-Id")!] = "spoofed-brand"
        client[HTTPField.Name("X-Request-Id")!] = "spoofed-request"
        client[HTTPField.Name("X-Concierge-Client-Address")!] = "6.6.6.6"
        client[HTTPField.Name("X-Forwarded-For")!] = "6.6.6.6"
        client[HTTPField.Name("X-Forwarded-Proto")!] = "gopher"
        client[.connection] = "keep-alive"
        client[.authorization] = "Bearer t"
        let upstream = ForwardedHeaders.upstream(from: client, brandID: "brand-1", requestID: "req-1", clientAddress: "127.0.0.1", host: "demo.localhost", scheme: "https")
        #expect(upstream[values: HTTPField.Name("X-Concierge-Brand-Id")!] == ["brand-1"])
        #expect(upstream[values: HTTPField.Name("X-Request-Id")!] == ["req-1"])
        #expect(upstream[values: HTTPField.Name("X-Concierge-Client-Address")!] == ["127.0.0.1"])
        #expect(upstream[values: HTTPField.Name("X-Forwarded-For")!] == ["127.0.0.1"])
        #expect(upstream[values: HTTPField.Name("X-Forwarded-Proto")!] == ["https"])
        #expect(upstream[values: HTTPField.Name("X-Forwarded-Host")!] == ["demo.localhost"])
        #expect(upstream[.connection] == nil)
        #expect(upstream[.authorization] == "Bearer t")

        client[.connection] = "close, X-Trace-Hop"
        client[HTTPField.Name("X-Trace-Hop")!] = "1"
        client.append(HTTPField(name: HTTPField.Name("Host")!, value: "acme.localhost"))
        let pruned = ForwardedHeaders.upstream(from: client, brandID: "brand-1", requestID: "req-1", clientAddress: nil, host: "demo.localhost", scheme: "http")
        #expect(pruned[HTTPField.Name("X-Trace-Hop")!] == nil, "a header the Connection header names is for that connection only")
        #expect(pruned[HTTPField.Name("Host")!] == nil, "a second Host never reaches the service")
    }
}

@Suite("Proxy decisions")
struct ProxyDecisionTests {
    static func directory() -> BrandDirectory {
        let directory = BrandDirectory()
        directory.apply(BrandSnapshot(id: "brand-1", name: "Demo", hostnames: ["demo.localhost"], version: 1))
        return directory
    }

    @Test("An API path of a known host is forwarded to its service with the brand and the host as named; other paths go to the gateway's own routes")
    func forwardsKnownHosts() {
        let directory = Self.directory()
        #expect(ProxyDecision.decide(path: "/api/v1/tickets?view=mine", authority: "Demo.localhost:8080", directory: directory, services: [.tickets])
            == .forward(.tickets, brandID: "brand-1", host: "demo.localhost:8080"), "the port stays for the links services write back")
        #expect(ProxyDecision.decide(path: "/kb/sitemap.xml", authority: "demo.localhost", directory: directory, services: [.knowledge])
            == .forward(.knowledge, brandID: "brand-1", host: "demo.localhost"))
        #expect(ProxyDecision.decide(path: "/health/ready", authority: "nowhere.example", directory: directory, services: [.tickets]) == .ownRoutes)
    }

    @Test("An unknown host and an unknown or unconfigured API are refused with a 404 problem, a method no service answers with a 405")
    func refusesUnknown() {
        let directory = Self.directory()
        guard case .refuse(let host) = ProxyDecision.decide(path: "/api/v1/tickets", authority: "nowhere.example", directory: directory, services: [.tickets])
        else { Issue.record("an unknown host was not refused"); return }
        #expect(host.status == .notFound)
        #expect(host.type.hasSuffix("unknown-host"))
        guard case .refuse(let api) = ProxyDecision.decide(path: "/api/v1/nothing/x", authority: "demo.localhost", directory: directory, services: [.tickets])
        else { Issue.record("an unknown API was not refused"); return }
        #expect(api.status == .notFound)
        #expect(ProxyDecision.decide(path: "/api/v1/surveys", authority: "demo.localhost", directory: directory, services: [.tickets]) != .forward(.surveys, brandID: "brand-1", host: "demo.localhost"))
        guard case .refuse(let twoHosts) = ProxyDecision.decide(
            path: "/api/v1/tickets", authority: "demo.localhost", extraHosts: 1, directory: directory, services: [.tickets])
        else { Issue.record("a request naming two hosts was forwarded"); return }
        #expect(twoHosts.status == .badRequest)
        for method in [HTTPRequest.Method.connect, .trace, HTTPRequest.Method("MSEARCH")].compactMap({ $0 }) {
            guard case .refuse(let refused) = ProxyDecision.decide(method: method, path: "/api/v1/tickets", authority: "demo.localhost", directory: directory, services: [.tickets])
            else { Issue.record("\(method) was forwarded"); continue }
            #expect(refused.status == .methodNotAllowed)
        }
    }

    @Test("Characters a URL may not hold are percent-encoded toward the service (browsers send some raw in a query); a space or control character is a 400")
    func encodesTargetsNoURLHolds() {
        #expect(ProxyDecision.encodedTarget(#"/api/v1/tickets?q="x"|y^{z}<a>\b`"#) == "/api/v1/tickets?q=%22x%22%7Cy%5E%7Bz%7D%3Ca%3E%5Cb%60")
        #expect(ProxyDecision.encodedTarget("/api/v1/tickets?view=all&q=caf\u{E9}%20au%7Clait") == "/api/v1/tickets?view=all&q=caf\u{E9}%20au%7Clait")
        let directory = Self.directory()
        for target in [#"/api/v1/tickets?q="x"#, "/api/v1/tickets?q=a|b", "/api/v1/tickets/{id}"] {
            #expect(ProxyDecision.decide(path: target, authority: "demo.localhost", directory: directory, services: [.tickets])
                == .forward(.tickets, brandID: "brand-1", host: "demo.localhost"), "\(target)")
        }
        for target in ["/api/v1/tickets?q=a b", "/api/v1/tickets?q=a\u{7F}"] {
            guard case .refuse(let problem) = ProxyDecision.decide(path: target, authority: "demo.localhost", directory: directory, services: [.tickets])
            else { Issue.record("\(target) was forwarded"); continue }
            #expect(problem.status == .badRequest)
        }
    }

    @Test("Only a safe or keyed request that failed on a reused connection before any answer is sent again, and only once")
    func resendRule() {
        func request(_ method: HTTPRequest.Method, key: String? = nil) -> HTTPRequest {
            var head = HTTPRequest(method: method, scheme: nil, authority: nil, path: "/api/v1/tickets")
            if let key, let name = HTTPField.Name("Idempotency-Key") { head.headerFields[name] = key }
            return head
        }
        #expect(ProxyDecision.resendsOnNewConnection(request(.get), requestsOnConnection: 2, answerStarted: false, resent: false))
        #expect(ProxyDecision.resendsOnNewConnection(request(.head), requestsOnConnection: 5, answerStarted: false, resent: false))
        #expect(!ProxyDecision.resendsOnNewConnection(request(.post), requestsOnConnection: 2, answerStarted: false, resent: false))
        #expect(ProxyDecision.resendsOnNewConnection(request(.post, key: "k-1"), requestsOnConnection: 2, answerStarted: false, resent: false),
                "the service writes a keyed submission once")
        #expect(!ProxyDecision.resendsOnNewConnection(request(.get), requestsOnConnection: 1, answerStarted: false, resent: false), "a new connection")
        #expect(!ProxyDecision.resendsOnNewConnection(request(.get), requestsOnConnection: 2, answerStarted: true, resent: false))
        #expect(!ProxyDecision.resendsOnNewConnection(request(.post, key: "k-1"), requestsOnConnection: 2, answerStarted: false, resent: true))
    }

    @Test("An instance is http://host:port; another scheme, a path or a bad port is not one")
    func upstreamAddresses() {
        #expect(UpstreamAddress(url: "http://127.0.0.1:8082") == UpstreamAddress(host: "127.0.0.1", port: 8082))
        #expect(UpstreamAddress(url: "http://tickets/") == UpstreamAddress(host: "tickets", port: 80))
        #expect(UpstreamAddress(url: "https://tickets:443") == nil)
        #expect(UpstreamAddress(url: "http://tickets:8082/api") == nil)
        #expect(UpstreamAddress(url: "http://tickets:99999") == nil)
        #expect(UpstreamAddress(url: "http://") == nil)
        #expect(throws: ConfigurationError.self) {
            try GatewayConfiguration.fromEnvironment(["CONCIERGE_TICKETS_URLS": "http://127.0.0.1:1,https://elsewhere:2"])
        }
    }
}

@Suite("Brand directory")
struct BrandDirectoryTests {
    @Test("A brand's hostnames follow its newest version; replayed or older versions change nothing")
    func versions() {
        let directory = BrandDirectory()
        #expect(directory.apply(BrandSnapshot(id: "b", name: "B", hostnames: ["old.localhost"], version: 1)))
        #expect(directory.apply(BrandSnapshot(id: "b", name: "B", hostnames: ["new.localhost"], version: 2)))
        #expect(!directory.apply(BrandSnapshot(id: "b", name: "B", hostnames: ["old.localhost"], version: 1)))
        #expect(directory.brand(forHostname: "old.localhost") == nil)
        #expect(directory.brand(forHostname: "new.localhost")?.version == 2)
    }

    @Test("A hostname moved to another brand belongs to that brand only")
    func movedHostname() {
        let directory = BrandDirectory()
        directory.apply(BrandSnapshot(id: "a", name: "A", hostnames: ["shared.localhost"], version: 1))
        directory.apply(BrandSnapshot(id: "a", name: "A", hostnames: ["a.localhost"], version: 2))
        directory.apply(BrandSnapshot(id: "b", name: "B", hostnames: ["shared.localhost"], version: 1))
        #expect(directory.brand(forHostname: "shared.localhost")?.id == "b")
        #expect(directory.count == 2)
    }
}
