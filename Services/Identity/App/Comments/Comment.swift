import Foundation
import ServiceKit

/// A comment agents keep on a user or an organization; sticky comments are listed first.
public struct Comment: Codable, Sendable, Equatable {
    public enum SubjectKind: String, Codable, Sendable {
        case user, organization
    }

    public var id: String
    public var subjectKind: SubjectKind
    public var subjectID: String
    public var authorID: String?
    public var body: String
    public var sticky: Bool
    public var createdAt: Date
}

/// `POST …/users/{id}/comments` and `…/organizations/{id}/comments`.
public struct NewComment: Decodable, Sendable {
    public var body: String
    public var sticky: Bool?

    public static let maximumLength = 10_000

    public func validatedBody() throws -> String {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...Self.maximumLength).contains(trimmed.count) else {
            throw Problem.unprocessable(
                "A comment has 1 to \(Self.maximumLength) characters.", errors: [.init(field: "body", message: "1...\(Self.maximumLength) characters")])
        }
        return trimmed
    }
}
