import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension Comment: ResponseEncodable {}

/// Comments on users (`/users/{id}/comments`) and organizations (`/organizations/{id}/comments`), sticky first.
/// Adding one needs "Add User Comment" / "Add Organization Comment"; changing or removing one needs Edit.
public struct CommentController: Sendable {
    let comments: CommentRepository
    let directory: UserDirectory
    let organizations: OrganizationRepository

    public init(comments: CommentRepository, directory: UserDirectory, organizations: OrganizationRepository) {
        self.comments = comments
        self.directory = directory
        self.organizations = organizations
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        for kind in [Comment.SubjectKind.user, .organization] {
            let path = kind == .user ? "users" : "organizations"
            let addAction = kind == .user ? "Add User Comment" : "Add Organization Comment"
            group.get("\(path)/{id}/comments") { request, context in
                try Authorization.require(context.principal, .usersOrganizations, FeatureCatalog.view)
                return try await comments.list(kind, try await subject(kind, context), page: try PageRequest(request))
            }
            group.post("\(path)/{id}/comments") { request, context in
                let principal = try Authorization.requireSignedIn(context.principal)
                try Authorization.require(principal, .usersOrganizations, addAction)
                let subjectID = try await subject(kind, context)
                let body = try await request.decodeJSON(NewComment.self, context: context)
                let comment = Comment(
                    id: UUIDv7.generate().uuidString.lowercased(), subjectKind: kind, subjectID: subjectID.uuidString.lowercased(),
                    authorID: principal.userID, body: try body.validatedBody(), sticky: body.sticky ?? false, createdAt: Date())
                try await comments.add(comment)
                return EditedResponse(status: .created, response: comment)
            }
            group.patch("\(path)/{id}/comments/{commentID}") { request, context in
                struct Change: Decodable { var sticky: Bool }
                try Authorization.require(context.principal, .usersOrganizations, "Edit User/Organization")
                let subjectID = try await subject(kind, context)
                let change = try await request.decodeJSON(Change.self, context: context)
                guard try await comments.setSticky(change.sticky, comment: try commentID(context), of: kind, subjectID) else {
                    throw Problem.notFound("No such comment.")
                }
                return Response(status: .noContent)
            }
            group.delete("\(path)/{id}/comments/{commentID}") { _, context in
                try Authorization.require(context.principal, .usersOrganizations, "Edit User/Organization")
                let subjectID = try await subject(kind, context)
                guard try await comments.delete(try commentID(context), of: kind, subjectID) else { throw Problem.notFound("No such comment.") }
                return Response(status: .noContent)
            }
        }
    }

    func subject(_ kind: Comment.SubjectKind, _ context: ServiceRequestContext) async throws -> UUID {
        let id = try context.uuidParameter("id", notFound: "No such \(kind.rawValue).")
        let exists = switch kind {
        case .user: try await directory.details(id) != nil
        case .organization: try await organizations.find(id) != nil
        }
        guard exists else { throw Problem.notFound("No such \(kind.rawValue).") }
        return id
    }

    func commentID(_ context: ServiceRequestContext) throws -> UUID {
        try context.uuidParameter("commentID", notFound: "No such comment.")
    }
}
