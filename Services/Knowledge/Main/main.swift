import Auth
import Contracts
import Fleet
import Foundation
import KnowledgeApp
import Outbox
import Search
import ServiceKit

let runtime = try FleetRuntime(service: .knowledge)
let tokens = try await TokenService.fromEnvironment(runtime.configuration.environment)
try FileManager.default.createDirectory(atPath: runtime.configuration.dataDirectory, withIntermediateDirectories: true)
let indexPath = runtime.configuration.dataDirectory + "/articles-index"
let index = try SearchIndex(path: indexPath, schemaVersion: ArticleSearchTerms.schemaVersion)
let readers = try runtime.searchReaders(index: "articles-index")
let cannedIndex = try SearchIndex(path: runtime.configuration.dataDirectory + "/canned-index", schemaVersion: CannedReplySearchTerms.schemaVersion)
let cannedReaders = try runtime.searchReaders(index: "canned-index")
let environment = runtime.configuration.environment
let api = KnowledgeAPI(
    database: runtime.database, tokens: tokens, index: readers, cannedIndex: cannedReaders,
    linkChecker: ExternalLinkChecker(timeout: .milliseconds(try environment.int("CONCIERGE_LINK_CHECK_TIMEOUT_MS", default: 10_000))),
    linkConcurrency: try environment.int("CONCIERGE_LINK_CHECK_CONCURRENCY", default: 8))
let router = runtime.makeRouter()
api.addRoutes(to: router)
let indexFeed = try runtime.indexFeed(ArticleIndexer(index: index, database: runtime.database), events: .knowledge, name: "knowledge-search")
let cannedFeed = try runtime.indexFeed(
    CannedReplyIndexer(index: cannedIndex, database: runtime.database), events: .knowledge, name: "knowledge-canned-search")
let directory = IdempotentConsumer(
    database: runtime.database, consumerName: "knowledge-directory", kafka: runtime.kafka, groupID: "knowledge-directory",
    topics: [ServiceName.identity.eventsTopic], gate: runtime.gate, logger: runtime.logger
) { header, bytes, connection in
    try await api.directory.apply(header.type, bytes, on: connection)
}
let linkWorker = BrokenLinkWorker(
    store: api.links, scanner: api.scanner, every: .seconds(try environment.int("CONCIERGE_LINK_SCAN_HOURS", default: 24) * 3_600),
    gate: runtime.gate, logger: runtime.logger)
try await runtime.run(
    router: router, migrations: KnowledgeMigrations.all, topics: [ServiceName.knowledge.eventsTopic],
    services: [
        indexFeed, cannedFeed, directory, linkWorker, api.searchLog, BatchWorker.purge(store: api.store, gate: runtime.gate, logger: runtime.logger),
        BatchWorker.staleArticles(
            store: api.store, every: .seconds(try environment.int("CONCIERGE_KB_STALE_CHECK_SECONDS", default: 300)), gate: runtime.gate,
            logger: runtime.logger),
    ])
