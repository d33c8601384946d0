import Auth
import Foundation
import Hummingbird
import Logging
import HummingbirdTesting
@testable import KnowledgeApp
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Broken-link scan")
struct BrokenLinkScanTests {
    /// A host that accepts connections and never answers: listening, never accepting.
    final class SilentHost: Sendable {
        let socket: Int32
        let port: Int

        init() throws {
            let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, Glibc.listen(descriptor, 16) == 0 else { throw CancellationError() }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            socket = descriptor
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(socket) }
    }

    /// A web server with a page that works and one that answers 404.
    static func withWebsite(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        for method in [HTTPRequest.Method.get, .head] {
            router.on("ok", method: method) { _, _ in "fine" }
            router.on("missing", method: method) { _, _ -> Response in Response(status: .notFound) }
        }
        try await Application(router: router).test(.live) { client in
            try await body(try #require(client.port))
        }
    }

    @Test("A scan finds a broken internal link, a 404 and a host that never answers, within its timeout, and lists the article")
    func scan() async throws {
        let silent = try SilentHost()
        try await Self.withWebsite { port in
            try await KnowledgeTestKit.run { client, kit in
                let target = try #require(try await kit.article(client, brand: kit.brandA, title: "Target", body: "<p>x</p>")["id"] as? String)
                let links = [
                    "http://kb.example/kb/\(target)/target", "http://kb.example/kb/\(UUID().uuidString.lowercased())/gone",
                    "http://127.0.0.1:\(port)/ok", "http://127.0.0.1:\(port)/missing", "http://127.0.0.1:\(silent.port)/slow",
                ]
                let body = links.map { "<a href=\"\($0)\">link</a>" }.joined()
                let article = try #require(try await kit.article(client, brand: kit.brandA, title: "Links", body: "<p>\(body)</p>")["id"] as? String)
                let agent = try await kit.token()

                let started = ContinuousClock.now
                let (status, _, scanned) = try await KnowledgeTestKit.send(
                    client, .post, "/api/v1/knowledge/articles/\(article)/broken-links/scan", brand: kit.brandA, token: agent)
                #expect(status == .ok)
                #expect(ContinuousClock.now - started < .seconds(15), "the silent host costs one timeout (3 s), not a hang")
                let checks = try #require(KnowledgeTestKit.json(scanned)["items"] as? [[String: Any]])
                let broken = Set(checks.filter { $0["broken"] as? Bool == true }.compactMap { $0["url"] as? String })
                #expect(broken == [links[1], links[3], links[4]])
                #expect(checks.first { $0["url"] as? String == links[3] }?["status"] as? Int == 404)

                let (_, _, tab) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/\(article)/broken-links", brand: kit.brandA, token: agent)
                #expect((KnowledgeTestKit.json(tab)["items"] as? [[String: Any]])?.count == 5)
                let (_, _, view) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/broken-links", brand: kit.brandA, token: agent)
                let listed = try #require(KnowledgeTestKit.json(view)["items"] as? [[String: Any]])
                #expect(listed.count == 1 && listed.first?["id"] as? String == article && listed.first?["brokenLinks"] as? Int == 3)
                let (visitor, _, _) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/broken-links", brand: kit.brandA)
                #expect(visitor == .unauthorized || visitor == .forbidden)
            }
        }
    }

    @Test("Rescan All makes every item due; the periodic worker then finds a link broken by a deleted article")
    func periodicRescan() async throws {
        try await KnowledgeTestKit.run { client, kit in
            let target = try #require(try await kit.article(client, brand: kit.brandA, title: "Target", body: "<p>x</p>")["id"] as? String)
            let article = try #require(try await kit.article(
                client, brand: kit.brandA, title: "Links", body: "<p><a href=\"http://kb.example/kb/\(target)/target\">see</a></p>")["id"] as? String)
            let worker = BrokenLinkWorker(store: kit.api.links, scanner: kit.api.scanner, every: .seconds(86_400), gate: nil, logger: .init(label: "test"))
            #expect(try await worker.scanDue() == 2, "never-scanned items are due")
            #expect(try await worker.scanDue() == 0, "scanned items wait for the next period")
            let agent = try await kit.token()
            let (_, _, before) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/broken-links", brand: kit.brandA, token: agent)
            #expect((KnowledgeTestKit.json(before)["items"] as? [[String: Any]])?.isEmpty == true)

            let admin = try await kit.token(roles: [PredefinedRoles.administrator])
            let (deleted, _, _) = try await KnowledgeTestKit.send(client, .delete, "/api/v1/knowledge/articles/\(target)", brand: kit.brandA, token: admin)
            #expect(deleted == .noContent)
            let (accepted, _, _) = try await KnowledgeTestKit.send(client, .post, "/api/v1/knowledge/articles/broken-links/rescan", brand: kit.brandA, token: agent)
            #expect(accepted == .accepted)
            #expect(try await worker.scanDue() == 1, "the deleted target is not scanned; the article linking to it is")
            let (_, _, after) = try await KnowledgeTestKit.send(client, .get, "/api/v1/knowledge/articles/broken-links", brand: kit.brandA, token: agent)
            #expect((KnowledgeTestKit.json(after)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [article])
        }
    }

    @Test("Links are taken from hrefs and srcs over http(s), unescaped and once each; /kb/ and /news/ paths with an id are internal")
    func extraction() {
        let id = UUID()
        let html = #"<p><a href="https://example.com/a?x=1&amp;y=2">a</a><a href="mailto:x@example.com">m</a>"#
            + #"<img src="http://img.example/p.png" alt=""><a href="https://example.com/a?x=1&amp;y=2">again</a>"#
            + #"<a href="https://help.example/news/\#(id.uuidString.lowercased())/title">n</a></p>"#
        #expect(LinkExtraction.links(in: html) == [
            .external(url: "https://example.com/a?x=1&y=2"), .internalContent(url: "https://help.example/news/\(id.uuidString.lowercased())/title", id: id),
            .external(url: "http://img.example/p.png"),
        ])
    }
}
