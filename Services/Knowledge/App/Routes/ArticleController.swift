import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension Article: ResponseEncodable {}
extension ArticleSearchResults: ResponseEncodable {}

/// `/api/v1/knowledge/articles`, `/search` and `/suggestions` for articles; `/news` and `/news/search` for news
/// items, the same routes over the other kind of content.
public struct ArticleController: Sendable {
    let store: ArticleStore
    let search: ArticleSearch?
    let gates: BrandPortalStore
    /// Where portal visitors' article searches are logged for the search reports (nil: not logged).
    var searchLog: SearchLog? = nil
    var kind: ContentKind = .article

    /// The role feature whose actions guard this kind of content.
    var feature: Feature { kind == .article ? .kbArticles : .news }
    var notFound: String { "No such \(kind.noun)." }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        let collection = kind.collection
        group.post("\(collection)") { request, context in
            try Authorization.require(context.principal, feature, "Create")
            let input = try await request.decodeJSON(ArticleInput.self, context: context)
            let (_, brand) = try KnowledgeReaders.reader(context, brandParameter: input.brandID)
            let article = try await store.save(
                input, kind: kind, id: UUIDv7.generate(), brandID: brand, expectedVersion: nil, actor: context.principal?.userID)
            return EditedResponse(
                status: .created, headers: [.eTag: article.etag, .location: "/api/v1/knowledge/\(collection)/\(article.id)"], response: article)
        }
        group.get("\(collection)") { request, context in
            let query = request.uri.queryParameters
            let (reader, brand) = try await KnowledgeReaders.reader(
                context, brandParameter: query["brandID"].map(String.init), reading: kind, gates: gates)
            let language = try query["language"].map { try KnowledgeReaders.language(String($0), acceptLanguage: nil) }
            let folder = try query["folderID"].map { text in
                guard let id = UUID(parsing: String(text)) else { throw Problem.badRequest("folderID must be a folder id.") }
                return id
            }
            let view = try query["view"].map { text in
                guard reader.employee, let view = ArticleListView(rawValue: String(text)) else {
                    throw Problem.badRequest("view is drafts, review or stale (for employees).")
                }
                return view
            }
            let agent = try query["assignedTo"].map { text in
                let id = text == "me" ? context.principal?.userID : String(text)
                guard reader.employee, let agent = id.flatMap(UUID.init(parsing:)) else {
                    throw Problem.badRequest("assignedTo is an agent's id or me (for employees).")
                }
                return agent
            }
            return try await store.list(
                kind: kind, brandID: brand, language: reader.employee ? language : language ?? "en", folderID: folder, publicOnly: !reader.employee,
                page: try PageRequest(request), view: view, assignedAgentID: agent, satisfies: reader.satisfies)
        }
        group.post("\(collection)/actions") { request, context in
            struct Body: Decodable { var action: String; var ids: [String]; var mark: String?; var folderID: String?; var agentID: String? }
            let body = try await request.decodeJSON(Body.self, context: context)
            let (action, ids) = try ArticleActions.action(named: body.action, mark: body.mark, folderID: body.folderID, agentID: body.agentID, ids: body.ids)
            try Authorization.require(context.principal, feature, action.permission)
            return Items(items: try await store.apply(action, to: ids, kind: kind, actor: context.principal?.userID))
        }
        group.post("\(collection)/{id}/clone") { _, context in
            try Authorization.require(context.principal, feature, "Clone")
            let article = try await store.clone(try context.uuidParameter("id", notFound: notFound), kind: kind, actor: context.principal?.userID)
            return EditedResponse(
                status: .created, headers: [.eTag: article.etag, .location: "/api/v1/knowledge/\(collection)/\(article.id)"], response: article)
        }
        group.get("\(collection)/{id}") { request, context in
            let article = try await readable(context, brandParameter: request.uri.queryParameters["brandID"].map(String.init))
            try await Visit.record(article, store: store, request: request, context: context)
            return EditedResponse(headers: [.eTag: article.etag], response: article)
        }
        group.get("\(collection)/{id}/translations") { request, context in
            let brandParameter = request.uri.queryParameters["brandID"].map(String.init)
            let article = try await readable(context, brandParameter: brandParameter)
            let (reader, _) = try await KnowledgeReaders.reader(context, brandParameter: brandParameter, reading: kind, gates: gates)
            var shown: [Article] = []
            for member in try await store.translations(of: article) where try await isShown(member, to: reader, context) { shown.append(member) }
            return Items(items: shown)
        }
        group.put("\(collection)/{id}") { request, context in
            try Authorization.require(context.principal, feature, "Edit")
            let id = try context.uuidParameter("id", notFound: notFound)
            guard let current = try await store.find(id), current.kind == kind else { throw Problem.notFound(notFound) }
            let body = try await request.jsonBytes(context: context)
            let input = try JSONBody.decode(ArticleInput.self, from: body).keepingOmitted(of: current, sent: JSONBody.sentFields(in: body))
            let article = try await store.save(
                input, kind: kind, id: id, brandID: UUID(parsing: current.brandID) ?? id, expectedVersion: try IfMatch.version(request) ?? current.version,
                actor: context.principal?.userID)
            return EditedResponse(headers: [.eTag: article.etag], response: article)
        }
        group.delete("\(collection)/{id}") { request, context in
            try Authorization.require(context.principal, feature, "Delete")
            let id = try context.uuidParameter("id", notFound: notFound)
            let forwardTo = try request.uri.queryParameters["forwardTo"].map { text in
                guard let target = UUID(parsing: String(text)) else { throw Problem.badRequest("forwardTo is the id of the \(kind.noun) to send visitors to.") }
                return target
            }
            guard try await store.find(id)?.kind == kind else { throw Problem.notFound(notFound) }
            try await store.delete(id, actor: context.principal?.userID, forwardTo: forwardTo)
            return Response(status: .noContent)
        }
        if let search { addSearchRoute(to: group, search: search) }
    }

    /// `…/search` (articles) or `…/news/search`: ranked, with the advanced fields (folder, only deleted, date ranges).
    private func addSearchRoute(to group: RouterGroup<ServiceRequestContext>, search: ArticleSearch) {
        group.get(kind == .article ? "search" : "news/search") { request, context in
            let query = request.uri.queryParameters
            guard let text = FormQuery.value("q", in: request.uri.query)?.nonEmptyText, text.count <= 500 else {
                throw Problem.badRequest("q is the text to search for (at most 500 characters).")
            }
            let (reader, brand) = try await KnowledgeReaders.reader(
                context, brandParameter: query["brandID"].map(String.init), reading: kind, gates: gates)
            let language = try KnowledgeReaders.language(query["language"].map(String.init), acceptLanguage: request.headers[.acceptLanguage])
            let onlyDeleted = reader.employee && query["include"] == "deleted"
            let limit = try query["limit"].map { text in
                guard let limit = Int(text), (1...100).contains(limit) else { throw Problem.badRequest("limit is 1 to 100.") }
                return limit
            } ?? 20
            let folders = try await searchedFolders(query["folderID"].map(String.init), subfolders: try request.queryFlag("includeSubfolders"))
            let flags = try (query["flags"].map(String.init)?.split(separator: ",") ?? []).map { name in
                guard reader.employee, let flag = ArticleFlag(rawValue: String(name)) else {
                    throw Problem.badRequest("flags are draft, private, featured, review and reviewed, comma-separated (for employees).")
                }
                return flag
            }
            var results = try await search.search(ArticleSearch.query(
                text, reader: reader, language: reader.employee && query["language"] == nil ? nil : language, kind: kind,
                folderIDs: folders, flags: flags, onlyDeleted: onlyDeleted, dates: try SearchDates.ranges { query[Substring($0)].map(String.init) },
                limit: limit))
            if results.items.isEmpty {
                try await store.recordUnsuccessfulSearch(text, brandID: brand, language: language, employee: reader.employee)
            }
            if let searchLog, !reader.employee {
                results.searchID = searchLog.note(text, reader: reader, language: language, results: results, context: context)
            }
            return results
        }
        if kind == .article { addSuggestionRoute(to: group, search: search) }
    }

    /// The advanced search's Folder: the folder, and with "include sub-folders" every folder under it. A folder that
    /// does not exist is searched as itself (finding nothing), never as no folder filter at all.
    private func searchedFolders(_ text: String?, subfolders: Bool) async throws -> [String] {
        guard let text else { return [] }
        guard let folder = UUID(parsing: text) else { throw Problem.badRequest("folderID must be a folder id.") }
        let tree = subfolders ? try await store.folderSubtree(folder) : []
        return tree.isEmpty ? [folder.lowercased] : tree.sorted()
    }

    /// `…/suggestions?q=`: the automatic suggestions shown while a customer writes a ticket or starts a chat —
    /// what that customer could read on the portal, from folders included in automatic searches, 5 by default
    /// (the brand's Max KB Search Results). A portal closed to the caller suggests nothing rather than refusing.
    private func addSuggestionRoute(to group: RouterGroup<ServiceRequestContext>, search: ArticleSearch) {
        group.get("suggestions") { request, context in
            let query = request.uri.queryParameters
            guard let text = FormQuery.value("q", in: request.uri.query)?.nonEmptyText, text.count <= 2_000 else {
                throw Problem.badRequest("q is the subject or message to suggest articles for (at most 2000 characters).")
            }
            let limit = try query["limit"].map { text in
                guard let limit = Int(text), (1...20).contains(limit) else { throw Problem.badRequest("limit is 1 to 20.") }
                return limit
            } ?? 5
            var (reader, brand) = try KnowledgeReaders.reader(context, brandParameter: query["brandID"].map(String.init))
            reader.employee = false
            guard try await gates.gates(of: brand).admits(context.principal, to: .article, employee: false) else {
                return ArticleSearchResults(items: [], estimatedTotal: 0, suggestion: nil, correctedResults: false)
            }
            let language = try KnowledgeReaders.language(query["language"].map(String.init), acceptLanguage: request.headers[.acceptLanguage])
            return try await search.search(ArticleSearch.query(text, reader: reader, language: language, automaticOnly: true, limit: limit))
        }
    }

    /// The article of the path as this reader may see it: visitors only public articles of the host's brand.
    /// Whether the reader may read `article` as one of another's translations: published in their brand and in a
    /// folder they may open, as ``readable(_:brandParameter:)`` asks of the article itself.
    func isShown(_ article: Article, to reader: ArticleReader, _ context: ServiceRequestContext) async throws -> Bool {
        if reader.employee { return true }
        guard article.isVisible(), article.isShown(inBrand: reader.brandID) else { return false }
        return (try? KnowledgeReaders.checkFolder(try await store.folderAccess(article.folderID), context.principal)) != nil
    }

    func readable(_ context: ServiceRequestContext, brandParameter: String?) async throws -> Article {
        let (reader, _) = try await KnowledgeReaders.reader(context, brandParameter: brandParameter, reading: kind, gates: gates)
        let id = try context.uuidParameter("id", notFound: notFound)
        guard let article = try await store.find(id), article.kind == kind,
            reader.employee || (article.isVisible() && article.isShown(inBrand: reader.brandID))
        else { throw Problem.notFound(notFound) }
        if !reader.employee { try KnowledgeReaders.checkFolder(try await store.folderAccess(article.folderID), context.principal) }
        return article
    }
}
