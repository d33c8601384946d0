import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension Folder: ResponseEncodable {}

/// `/api/v1/knowledge/folders`: the folder tree of a brand's knowledge base — Add, Edit and Delete Folder for
/// employees by the KB Articles permission (Create, Edit, Delete), and the list, which visitors see only as far as
/// each folder's access admits them.
public struct FolderController: Sendable {
    let store: ArticleStore
    /// The brands' portal gates: a visitor the brand's "View KB Articles Requires" turns away reads no folder either.
    let gates: BrandPortalStore

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("folders") { request, context in
            struct Body: Decodable {
                var brandID: String?
                var parentID: String?
                var name: String
                var includeInAutomaticSearch: Bool?
                var viewRequires: String?
            }
            try Authorization.require(context.principal, .kbArticles, "Create")
            let body = try await request.decodeJSON(Body.self, context: context)
            let (_, brand) = try KnowledgeReaders.reader(context, brandParameter: body.brandID)
            let parent = try body.parentID.map { text in
                guard let id = UUID(parsing: text) else {
                    throw Problem.unprocessable("parentID must be a folder id.", errors: [.init(field: "parentID", message: "must be an id")])
                }
                return id
            }
            let folder = try await store.createFolder(
                brandID: brand, parentID: parent, name: body.name, includeInAutomaticSearch: body.includeInAutomaticSearch ?? true,
                viewRequires: body.viewRequires ?? PortalAccess.everyone)
            return EditedResponse(status: .created, response: folder)
        }
        group.get("folders") { request, context in
            let (reader, brand) = try await KnowledgeReaders.reader(
                context, brandParameter: request.uri.queryParameters["brandID"].map(String.init), reading: .article, gates: gates)
            return Items(items: try await store.folders(brandID: brand, reader: reader))
        }
        group.patch("folders/{id}") { request, context in
            try Authorization.require(context.principal, .kbArticles, "Edit")
            let (_, brand) = try KnowledgeReaders.reader(context, brandParameter: request.uri.queryParameters["brandID"].map(String.init))
            let change = try await request.decodeJSON(FolderChange.self, context: context)
            return try await store.updateFolder(
                try context.uuidParameter("id", notFound: "No such folder."), brandID: brand, change: change, actor: context.principal?.userID)
        }
        group.delete("folders/{id}") { request, context in
            try Authorization.require(context.principal, .kbArticles, "Delete")
            let (_, brand) = try KnowledgeReaders.reader(context, brandParameter: request.uri.queryParameters["brandID"].map(String.init))
            try await store.deleteFolder(try context.uuidParameter("id", notFound: "No such folder."), brandID: brand, actor: context.principal?.userID)
            return Response(status: .noContent)
        }
    }
}
