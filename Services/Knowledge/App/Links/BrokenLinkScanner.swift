import Foundation

/// Scans articles for broken links: internal links against the database, external ones by requesting them, at
/// most `concurrency` requests at a time (each URL once per scan, however many articles link to it).
public struct BrokenLinkScanner: Sendable {
    let store: LinkCheckStore
    let checker: ExternalLinkChecker
    let concurrency: Int

    public init(store: LinkCheckStore, checker: ExternalLinkChecker = ExternalLinkChecker(), concurrency: Int = 8) {
        self.store = store
        self.checker = checker
        self.concurrency = max(1, concurrency)
    }

    /// Checks every link of `articles`, records each article's results, and answers them by article id.
    @discardableResult
    public func scan(_ articles: [Article], now: Date = Date()) async throws -> [String: [LinkCheck]] {
        let linksByArticle = articles.map { ($0, LinkExtraction.links(in: $0.bodyHTML)) }
        var internalIDs: Set<UUID> = []
        var externalURLs: [String] = []
        var seen: Set<String> = []
        for (_, links) in linksByArticle {
            for link in links {
                switch link {
                case .internalContent(_, let id): internalIDs.insert(id)
                case .external(let url): if seen.insert(url).inserted { externalURLs.append(url) }
                }
            }
        }
        let existing = try await store.existing(internalIDs)
        let external = await checkAll(externalURLs, now: now)
        var results: [String: [LinkCheck]] = [:]
        for (article, links) in linksByArticle {
            let checks = links.map { link -> LinkCheck in
                switch link {
                case .internalContent(let url, let id):
                    existing.contains(id)
                        ? LinkCheck(url: url, broken: false, status: nil, reason: nil, checkedAt: now)
                        : LinkCheck.failed(url, reason: "no such article or news item", at: now)
                case .external(let url):
                    external[url] ?? LinkCheck.failed(url, reason: "not checked", at: now)
                }
            }
            try await store.record(article, checks: checks, now: now)
            results[article.id] = checks
        }
        return results
    }

    /// Requests each URL, keeping at most `concurrency` requests in flight.
    func checkAll(_ urls: [String], now: Date) async -> [String: LinkCheck] {
        await withTaskGroup(of: LinkCheck.self) { group in
            var results: [String: LinkCheck] = [:]
            var pending = urls.makeIterator()
            for _ in 0..<concurrency {
                guard let url = pending.next() else { break }
                group.addTask { await checker.check(url, now: now) }
            }
            while let check = await group.next() {
                results[check.url] = check
                if let url = pending.next() { group.addTask { await checker.check(url, now: now) } }
            }
            return results
        }
    }
}
