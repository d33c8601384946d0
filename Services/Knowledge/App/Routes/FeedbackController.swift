import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension Feedback: ResponseEncodable {}

/// Feedback on articles (`…/articles/{id}/feedback`) and its moderation (`/feedback…`): visitors with KB Feedback
/// Create leave it, anyone may flag it, moderators (KB Feedback Report/Moderate) approve, block, close or delete it.
public struct FeedbackController: Sendable {
    let store: ArticleStore
    let articles: ArticleController

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("articles/{id}/feedback") { request, context in
            struct Body: Decodable { var body: String }
            try Authorization.require(context.principal, .kbFeedback, "Create")
            let article = try await articles.readable(context, brandParameter: nil)
            let body = try await request.decodeJSON(Body.self, context: context)
            let portal = try await articles.gates.gates(ofBrand: context.brandID ?? article.brandID)
            let feedback = try await store.addFeedback(
                to: article, authorKey: try Self.authorKey(context), bodyHTML: body.body, moderated: portal.feedbackModerated)
            return EditedResponse(status: .created, response: feedback)
        }
        group.get("articles/{id}/feedback") { _, context in
            let article = try await articles.readable(context, brandParameter: nil)
            let viewer = FeedbackViewer(authorKey: try? Self.authorKey(context), moderator: Self.isModerator(context))
            return Items(items: try await store.feedback(of: try ArticleID.parse(article.id), viewer: viewer).map(viewer.shown))
        }
        group.post("feedback/{feedbackID}/abuse") { _, context in
            try await store.reportAbuse(try Self.feedbackID(context), reporterKey: try Self.authorKey(context))
            return Response(status: .noContent)
        }
        group.get("feedback") { request, context in
            guard Self.isModerator(context) else { throw Problem.forbidden("Moderating feedback needs KB Feedback Report/Moderate.") }
            let (_, brand) = try KnowledgeReaders.reader(context, brandParameter: request.uri.queryParameters["brandID"].map(String.init))
            return Items(items: try await store.moderationQueue(brandID: brand, tab: request.uri.queryParameters["tab"].map(String.init) ?? "pending"))
        }
        for decision in [FeedbackDecision.approve, .block, .close] {
            group.post("feedback/{feedbackID}/\(decision.rawValue)") { _, context in
                guard Self.isModerator(context), let moderator = context.principal?.userID else {
                    throw Problem.forbidden("Moderating feedback needs KB Feedback Report/Moderate.")
                }
                return try await store.moderate(try Self.feedbackID(context), decision, by: moderator)
            }
        }
        group.delete("feedback/{feedbackID}") { _, context in
            try Authorization.require(context.principal, .kbFeedback, "Delete")
            try await store.deleteFeedback(try Self.feedbackID(context))
            return Response(status: .noContent)
        }
    }

    static func isModerator(_ context: ServiceRequestContext) -> Bool {
        Authorization.isEmployee(context.principal) && Authorization.allows(context.principal, .kbFeedback, "Report/Moderate")
    }

    /// Who wrote or flags feedback: the signed-in user, else the client's address as the gateway saw it.
    static func authorKey(_ context: ServiceRequestContext) throws -> String {
        guard let key = Visit.visitorKey(context) else { throw Problem.forbidden("Sign in to leave or flag feedback.") }
        return key
    }

    static func feedbackID(_ context: ServiceRequestContext) throws -> UUID {
        try context.uuidParameter("feedbackID", notFound: "No such feedback.")
    }
}
