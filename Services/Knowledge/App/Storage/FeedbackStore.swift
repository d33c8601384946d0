import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Feedback, its abuse reports and the authors blocked from leaving more; each change publishes its event.
extension ArticleStore {
    static let feedbackColumns = "id, article_id, author_key, body_html, body_text, state, abuse_reports, created_at, moderated_at, moderated_by"

    /// Adds a visitor's feedback (pending while moderation is on); 403 for a blocked author.
    public func addFeedback(to article: Article, authorKey: String, bodyHTML: String, moderated: Bool = true) async throws -> Feedback {
        let body = SafeHTML.sanitize(bodyHTML)
        let text = SafeHTML.plainText(body)
        guard (1...5_000).contains(text.count) else {
            throw Problem.unprocessable("Feedback is 1 to 5000 characters.", errors: [.init(field: "body", message: "1 to 5000 characters")])
        }
        return try await database.transaction { connection in
            var check = PostgresBindings()
            check.append(UUID(parsing: article.brandID))
            check.append(authorKey)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT 1 FROM \(database.table("feedback_blocklist")) WHERE brand_id = $1 AND author_key = $2", binds: check),
                logger: database.logger)
            for try await _ in rows { throw Problem.forbidden("You may not leave feedback here.") }
            let feedback = Feedback(
                id: UUIDv7.generate().lowercased, articleID: article.id, authorID: authorKey, bodyHTML: body, bodyText: text,
                state: moderated ? .pending : .approved, abuseReports: 0, createdAt: Date(), moderatedAt: nil, moderatedBy: nil)
            var binds = PostgresBindings()
            binds.append(UUID(parsing: feedback.id))
            binds.append(UUID(parsing: article.id))
            binds.append(UUID(parsing: article.brandID))
            binds.append(authorKey)
            binds.append(body)
            binds.append(text)
            binds.append(feedback.state.rawValue)
            binds.append(feedback.createdAt)
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    INSERT INTO \(database.table("feedback")) (id, article_id, brand_id, author_key, body_html, body_text, state, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    """, binds: binds), logger: database.logger
            ).consume()
            try await events.publish("knowledge.feedback_created", subject: feedback.id, brandID: article.brandID, data: feedback, on: connection)
            return feedback
        }
    }

    /// The article's feedback as `viewer` may see it, oldest first.
    public func feedback(of articleID: UUID, viewer: FeedbackViewer) async throws -> [Feedback] {
        var binds = PostgresBindings()
        binds.append(articleID)
        binds.append(viewer.authorKey)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT \(Self.feedbackColumns), EXISTS (
                    SELECT 1 FROM \(database.table("feedback_abuse")) a WHERE a.feedback_id = f.id AND a.reporter_key = $2)
                FROM \(database.table("feedback")) f WHERE article_id = $1 ORDER BY created_at, id
                """, binds: binds), logger: database.logger)
        var result: [Feedback] = []
        for try await row in rows {
            let feedback = try Self.decodeFeedback(row)
            let flagged = try row.makeRandomAccess()[10].decode(Bool.self)
            if viewer.sees(feedback, flaggedByViewer: flagged) { result.append(feedback) }
        }
        return result
    }

    /// The moderation tabs of a brand: pending feedback, feedback flagged as abusive, or blocked feedback.
    public func moderationQueue(brandID: UUID, tab: String) async throws -> [Feedback] {
        let condition: String
        switch tab {
        case "pending": condition = "state = 'pending'"
        case "abuse": condition = "abuse_reports > 0 AND state <> 'blocked'"
        case "blocked": condition = "state = 'blocked'"
        default: throw Problem.badRequest("tab is pending, abuse or blocked.")
        }
        var binds = PostgresBindings()
        binds.append(brandID)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: """
                SELECT \(Self.feedbackColumns) FROM \(database.table("feedback")) WHERE brand_id = $1 AND \(condition) ORDER BY created_at, id LIMIT 500
                """, binds: binds), logger: database.logger)
        var result: [Feedback] = []
        for try await row in rows { result.append(try Self.decodeFeedback(row)) }
        return result
    }

    /// Approves, blocks (and blocks its author from leaving more) or closes the feedback.
    public func moderate(_ feedbackID: UUID, _ decision: FeedbackDecision, by moderator: String) async throws -> Feedback {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(feedbackID)
            binds.append(decision.state.rawValue)
            binds.append(UUID(parsing: moderator))
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE \(database.table("feedback")) f SET state = $2, moderated_at = now(), moderated_by = $3 WHERE id = $1
                    RETURNING \(Self.feedbackColumns), brand_id
                    """, binds: binds), logger: database.logger)
            var found: (Feedback, UUID)?
            for try await row in rows { found = (try Self.decodeFeedback(row), try row.makeRandomAccess()[10].decode(UUID.self)) }
            guard let (feedback, brand) = found else { throw Problem.notFound("No such feedback.") }
            if decision == .block, let author = feedback.authorID {
                var block = PostgresBindings()
                block.append(brand)
                block.append(author)
                try await connection.query(
                    PostgresQuery(unsafeSQL: """
                        INSERT INTO \(database.table("feedback_blocklist")) (brand_id, author_key, blocked_at) VALUES ($1, $2, now())
                        ON CONFLICT DO NOTHING
                        """, binds: block), logger: database.logger
                ).consume()
            }
            let type = ["approve": "knowledge.feedback_approved", "block": "knowledge.feedback_blocked", "close": "knowledge.feedback_closed"][decision.rawValue]
            try await events.publish(type ?? "knowledge.feedback_moderated", subject: feedback.id, brandID: brand.lowercased, data: feedback, on: connection)
            return feedback
        }
    }

    /// A visitor flags feedback as abusive: they no longer see it, and it shows in the Abuse tab.
    public func reportAbuse(_ feedbackID: UUID, reporterKey: String) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(feedbackID)
            binds.append(reporterKey)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: """
                    WITH target AS (SELECT id, brand_id FROM \(database.table("feedback")) WHERE id = $1),
                    added AS (
                        INSERT INTO \(database.table("feedback_abuse")) (feedback_id, reporter_key, reported_at)
                        SELECT id, $2, now() FROM target
                        ON CONFLICT DO NOTHING RETURNING feedback_id),
                    counted AS (
                        UPDATE \(database.table("feedback")) SET abuse_reports = abuse_reports + 1 WHERE id IN (SELECT feedback_id FROM added)
                        RETURNING id)
                    SELECT brand_id, EXISTS (SELECT 1 FROM counted) FROM target
                    """, binds: binds), logger: database.logger)
            var found = false
            for try await (brand, counted) in rows.decode((UUID, Bool).self) {
                found = true
                guard counted else { continue }
                try await events.publish(
                    "knowledge.feedback_abuse_reported", subject: feedbackID.lowercased, brandID: brand.lowercased,
                    data: ["feedbackID": feedbackID.lowercased], on: connection)
            }
            guard found else { throw Problem.notFound("No such feedback.") }
        }
    }

    public func deleteFeedback(_ feedbackID: UUID) async throws {
        try await database.transaction { connection in
            var binds = PostgresBindings()
            binds.append(feedbackID)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("feedback")) WHERE id = $1 RETURNING brand_id", binds: binds), logger: database.logger)
            var brand: UUID?
            for try await id in rows.decode(UUID.self) { brand = id }
            guard let brand else { throw Problem.notFound("No such feedback.") }
            try await events.publish(
                "knowledge.feedback_deleted", subject: feedbackID.lowercased, brandID: brand.lowercased, data: ["feedbackID": feedbackID.lowercased],
                on: connection)
        }
    }

    static func decodeFeedback(_ row: PostgresRow) throws -> Feedback {
        let columns = row.makeRandomAccess()
        return Feedback(
            id: try columns[0].decode(UUID.self).lowercased, articleID: try columns[1].decode(UUID.self).lowercased,
            authorID: try columns[2].decode(String?.self), bodyHTML: try columns[3].decode(String.self), bodyText: try columns[4].decode(String.self),
            state: FeedbackState(rawValue: try columns[5].decode(String.self)) ?? .pending, abuseReports: try columns[6].decode(Int.self),
            createdAt: try columns[7].decode(Date.self), moderatedAt: try columns[8].decode(Date?.self),
            moderatedBy: try columns[9].decode(UUID?.self)?.lowercased)
    }
}
