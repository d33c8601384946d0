import Auth
import Contracts
import Foundation
import Hummingbird
import Search
import ServiceKit

extension CannedReply: ResponseEncodable {}
extension CannedFolder: ResponseEncodable {}
extension RenderedReply: ResponseEncodable {}

/// `/api/v1/knowledge/canned-replies` and `/canned-reply-folders`: employees only, by the Canned Replies
/// permission (View/Insert, Create, Edit, Delete); each reply only for those its Assigned To names.
public struct CannedReplyController: Sendable {
    let store: CannedReplyStore
    /// The canned reply index that ranks `?q=` (nil: title and body matched in SQL, title matches first).
    var search: (any TextSearching)? = nil

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("canned-replies") { request, context in
            _ = try await caller(context, action: "Create")
            let input = try await request.decodeJSON(CannedReplyInput.self, context: context)
            let reply = try await store.save(input, id: UUIDv7.generate(), expectedVersion: nil, actor: context.principal?.userID)
            return EditedResponse(status: .created, headers: [.eTag: reply.etag, .location: "/api/v1/knowledge/canned-replies/\(reply.id)"], response: reply)
        }
        group.get("canned-replies") { request, context in
            let caller = try await caller(context, action: "View/Insert")
            let query = request.uri.queryParameters
            let folder = try query["folderID"].map { text in
                guard let id = UUID(parsing: String(text)) else { throw Problem.badRequest("folderID must be a folder id.") }
                return id
            }
            let channel = try query["channel"].map { text in
                guard let channel = CannedChannel(rawValue: String(text)) else { throw Problem.badRequest("channel is ticket or chat.") }
                return channel
            }
            let text = FormQuery.value("q", in: request.uri.query)?.nonEmptyText
            let staleOnly = try query["view"].map { view in
                guard view == "stale" else { throw Problem.badRequest("view is stale or absent.") }
                return true
            } ?? false
            var filter = CannedReplyFilter(
                folderID: folder, text: text.map { String($0.prefix(200)) }, channel: channel, mine: try request.queryFlag("mine"),
                includeDrafts: try request.queryFlag("includeDrafts"), staleOnly: staleOnly)
            guard let search, let words = filter.text else { return Items(items: try await store.list(caller: caller, filter)) }
            let language = try KnowledgeReaders.language(query["language"].map(String.init), acceptLanguage: request.headers[.acceptLanguage])
            let hits = try await search.search(CannedReplySearchTerms.query(words, caller: caller, filter, language: language, limit: 200)).hits
            filter.text = nil
            return Items(items: try await store.list(caller: caller, filter, ranked: hits.compactMap { UUID(parsing: $0.id) }))
        }
        group.get("canned-replies/{id}") { _, context in
            let reply = try await usable(context, action: "View/Insert")
            return EditedResponse(headers: [.eTag: reply.etag], response: reply)
        }
        group.put("canned-replies/{id}") { request, context in
            let current = try await usable(context, action: "Edit")
            let body = try await request.jsonBytes(context: context)
            let input = try JSONBody.decode(CannedReplyInput.self, from: body).keepingOmitted(of: current, sent: JSONBody.sentFields(in: body))
            let reply = try await store.save(
                input, id: try ArticleID.parse(current.id), expectedVersion: try IfMatch.version(request) ?? current.version,
                actor: context.principal?.userID)
            return EditedResponse(headers: [.eTag: reply.etag], response: reply)
        }
        group.delete("canned-replies/{id}") { _, context in
            try await store.delete(try await usable(context, action: "Delete"))
            return Response(status: .noContent)
        }
        group.post("canned-replies/{id}/render") { request, context in
            struct Body: Decodable { var channel: CannedChannel; var variables: [String: String]? }
            let reply = try await usable(context, action: "View/Insert")
            let body = try await request.decodeJSON(Body.self, context: context)
            guard reply.replyType.allows(body.channel) else {
                throw Problem.unprocessable(
                    "This canned reply is for \(reply.replyType == .tickets ? "tickets" : "live chats") only.",
                    errors: [.init(field: "channel", message: "not allowed by the reply's type")])
            }
            try await store.recordUse(reply, by: context.principal?.userID, channel: body.channel)
            return CannedReplyRules.render(reply, values: body.variables ?? [:])
        }
        group.post("canned-reply-folders") { request, context in
            struct Body: Decodable { var parentID: String?; var name: String }
            _ = try await caller(context, action: "Create")
            let body = try await request.decodeJSON(Body.self, context: context)
            let parent = try body.parentID.map { text in
                guard let id = UUID(parsing: text) else {
                    throw Problem.unprocessable("parentID must be a folder id.", errors: [.init(field: "parentID", message: "must be an id")])
                }
                return id
            }
            return EditedResponse(status: .created, response: try await store.createFolder(parentID: parent, name: body.name))
        }
        group.get("canned-reply-folders") { _, context in
            _ = try await caller(context, action: "View/Insert")
            return Items(items: try await store.folders())
        }
        group.patch("canned-reply-folders/{id}") { request, context in
            _ = try await caller(context, action: "Edit")
            let change = try await request.decodeJSON(FolderChange.self, context: context)
            return try await store.updateFolder(try context.uuidParameter("id", notFound: "No such folder."), change: change)
        }
        group.delete("canned-reply-folders/{id}") { _, context in
            _ = try await caller(context, action: "Delete")
            try await store.deleteFolder(try context.uuidParameter("id", notFound: "No such folder."))
            return Response(status: .noContent)
        }
    }

    /// The employee asking, allowed `action`, with their departments.
    func caller(_ context: ServiceRequestContext, action: String) async throws -> CannedCaller {
        guard let principal = context.principal, Authorization.isEmployee(principal), let user = UUID(parsing: principal.userID) else {
            throw Problem.forbidden("Canned replies are for employees.")
        }
        try Authorization.require(principal, .cannedReplies, action)
        return CannedCaller(
            userID: user.lowercased, departmentIDs: try await store.departments(of: user),
            seesAll: principal.isSystemAdministrator || principal.scope == .everything)
    }

    /// The reply of the path, if the caller may use it (404 otherwise, as for anything they may not see).
    func usable(_ context: ServiceRequestContext, action: String) async throws -> CannedReply {
        let caller = try await caller(context, action: action)
        guard let reply = try await store.find(try context.uuidParameter("id", notFound: "No such canned reply.")), caller.mayUse(reply) else {
            throw Problem.notFound("No such canned reply.")
        }
        return reply
    }
}
