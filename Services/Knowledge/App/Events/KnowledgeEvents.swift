import Contracts
import Database
import Foundation
import PostgresNIO

/// The data of `knowledge.article_*` events: the article after the change and who made it.
public struct ArticleEventData: Codable, Sendable {
    public var article: Article
    public var actorID: String?
}

/// A search that found nothing, for the "unsuccessful searches" report.
public struct UnsuccessfulSearchData: Codable, Sendable {
    public var query: String
    public var language: String
    public var employee: Bool
}

/// How knowledge changes reach `knowledge.events`: appended to the outbox in the change's transaction.
struct KnowledgeEvents: Sendable {
    let outbox: OutboxStore

    func publish<Data: Codable & Sendable>(_ type: String, subject: String, brandID: String?, data: Data, on connection: PostgresConnection) async throws {
        try await outbox.append(
            CloudEvent(source: ServiceName.knowledge.rawValue, type: type, subject: subject, brandid: brandID, data: data),
            topic: ServiceName.knowledge.eventsTopic, on: connection)
    }
}
