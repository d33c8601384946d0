import Auth
import Contracts
import Database
import Fleet
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KnowledgeApp
import Search
import ServiceKit
import TestSupport

/// The knowledge routes on a fresh database and a fresh index, with two brands' hosts.
struct KnowledgeTestKit: Sendable {
    let database: Database
    let tokens: TokenService
    let api: KnowledgeAPI
    let indexer: ArticleIndexer
    let cannedIndexer: CannedReplyIndexer
    let brandA = UUID()
    let brandB = UUID()

    static func run(_ body: @escaping @Sendable (any TestClientProtocol, KnowledgeTestKit) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("articles-\(UUID().uuidString)").path
        let cannedPath = FileManager.default.temporaryDirectory.appendingPathComponent("canned-\(UUID().uuidString)").path
        try await TestDatabase.withFreshSchema("knowledge") { database in
            try await MigrationRunner(database: database, migrations: KnowledgeMigrations.all).run()
            let tokens = await TokenService(secret: TokenService.developmentSecret)
            let index = try SearchIndex(path: path, schemaVersion: ArticleSearchTerms.schemaVersion)
            let cannedIndex = try SearchIndex(path: cannedPath, schemaVersion: CannedReplySearchTerms.schemaVersion)
            // Long enough for a local web server to answer on a loaded machine (a fresh-clone run at dfe6f6c saw 1 s
            // expire for one while a release build ran beside it), short enough that a silent host costs the scan
            // test seconds, not its 15 s bound.
            let kit = KnowledgeTestKit(
                database: database, tokens: tokens,
                api: KnowledgeAPI(
                    database: database, tokens: tokens, index: index, cannedIndex: cannedIndex, linkChecker: ExternalLinkChecker(timeout: .seconds(3))),
                indexer: ArticleIndexer(index: index, database: database), cannedIndexer: CannedReplyIndexer(index: cannedIndex, database: database))
            let router = ServiceRouter.make(metrics: HTTPMetrics(), checks: [])
            kit.api.addRoutes(to: router)
            do {
                try await Application(router: router).test(.router) { client in try await body(client, kit) }
            } catch {
                try? await index.destroy()
                try? await cannedIndex.destroy()
                throw error
            }
            try await index.destroy()
            try await cannedIndex.destroy()
        }
    }

    /// An employee's token (the Agent role) or, with `roles: []`, a portal user's.
    func token(userID: UUID = UUID(), roles: [String] = [PredefinedRoles.agent]) async throws -> String {
        let definitions = ([PredefinedRoles.everyone] + roles).compactMap(PredefinedRoles.named)
        return try await tokens.sign(Principal(
            userID: userID.uuidString.lowercased(), email: "\(userID.uuidString.prefix(8))@example.com", sessionID: UUID().uuidString, roles: roles,
            isSystemAdministrator: false, permissions: EffectivePermissions.combine(definitions), scope: AccessScope.of(roleNames: roles)))
    }

    /// Sends a request as the brand's host would arrive through the gateway; answers status, headers and body text.
    static func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, brand: UUID?, token: String? = nil, body: String = "",
        headers extra: HTTPFields = [:]
    ) async throws -> (HTTPResponse.Status, HTTPFields, String) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let brand { headers[HTTPField.Name(InternalHeaders.brandID)!] = brand.uuidString.lowercased() }
        headers[HTTPField.Name("X-Forwarded-Host")!] = "kb.example"
        if let token { headers[.authorization] = "Bearer \(token)" }
        headers.append(contentsOf: extra)
        return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body)) { response in
            (response.status, response.headers, String(buffer: response.body))
        }
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// Creates an article (or news item) as an employee and indexes it (as the feed would); answers its JSON.
    func article(
        _ client: any TestClientProtocol, brand: UUID, title: String, summary: String = "", body: String, language: String = "en",
        isPrivate: Bool = false, isDraft: Bool = false, kind: ContentKind = .article, publishedAt: Date? = nil
    ) async throws -> [String: Any] {
        var payload: [String: Any] = [
            "title": title, "summary": summary, "bodyHTML": body, "language": language, "isPrivate": isPrivate, "isDraft": isDraft,
        ]
        if let publishedAt { payload["publishedAt"] = publishedAt.formatted(.iso8601) }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: payload), as: UTF8.self)
        let (_, _, created) = try await Self.send(
            client, .post, "/api/v1/knowledge/\(kind.collection)", brand: brand, token: try await token(), body: text)
        let article = Self.json(created)
        if let id = (article["id"] as? String).flatMap(UUID.init(uuidString:)) { try await indexer.reindex(id) }
        return article
    }
}
