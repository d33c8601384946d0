import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The bulk actions of the content pane and Clone, each in one transaction: every selected item changes, or none
/// (404 when one is missing or of another kind). Every changed or new item publishes its usual event, which also
/// brings it into every instance's search index.
extension ArticleStore {
    /// Applies `action` to the items `ids` of `kind`; answers them as they are now (copies for `.copy`).
    public func apply(
        _ action: ArticleAction, to ids: [UUID], kind: ContentKind, actor: String?, now: Date = Date()
    ) async throws -> [Article] {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(ids)
            binds.append(kind.rawValue)
            let selected = try await articles(
                "WHERE id = ANY($1) AND kind = $2 AND deleted_at IS NULL ORDER BY id FOR UPDATE", binds, on: connection)
            guard selected.count == ids.count else { throw Problem.notFound("No such \(kind.noun): \(missing(ids, selected).joined(separator: ", ")).") }
            let staleAfterDays = try await settings.staleAfterDays(on: connection)
            var answered: [Article] = []
            for article in selected {
                let created: Bool
                let changed: Article
                if case .copy(let folder) = action {
                    changed = ArticleActions.copy(
                        of: article, id: UUIDv7.generate().lowercased, folderID: folder, asDraft: false, staleAfterDays: staleAfterDays, now: now)
                    created = true
                } else {
                    changed = ArticleActions.apply(action, to: article, staleAfterDays: staleAfterDays, now: now)
                    created = false
                }
                try await checkFolder(changed, on: connection)
                try await write(changed, on: connection)
                let verb = created ? "created" : action == .delete ? "deleted" : "updated"
                try await events.publish(
                    "knowledge.\(kind.rawValue)_\(verb)", subject: changed.id, brandID: changed.brandID,
                    data: ArticleEventData(article: changed, actorID: actor), on: connection)
                answered.append(changed)
            }
            return answered
        }
    }

    /// Clone: a draft copy in the same folder, brand and language.
    public func clone(_ id: UUID, kind: ContentKind, actor: String?, now: Date = Date()) async throws -> Article {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(kind.rawValue)
            guard let article = try await articles("WHERE id = $1 AND kind = $2 AND deleted_at IS NULL", binds, on: connection).first else {
                throw Problem.notFound("No such \(kind.noun).")
            }
            let copy = ArticleActions.copy(
                of: article, id: UUIDv7.generate().lowercased, folderID: article.folderID, asDraft: true,
                staleAfterDays: try await settings.staleAfterDays(on: connection), now: now)
            try await write(copy, on: connection)
            try await events.publish(
                "knowledge.\(kind.rawValue)_created", subject: copy.id, brandID: copy.brandID,
                data: ArticleEventData(article: copy, actorID: actor), on: connection)
            return copy
        }
    }

    private func missing(_ ids: [UUID], _ found: [Article]) -> [String] {
        let present = Set(found.map(\.id))
        return ids.map(\.lowercased).filter { !present.contains($0) }
    }
}
