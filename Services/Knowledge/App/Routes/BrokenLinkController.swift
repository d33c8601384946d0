import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension LinkCheck: ResponseEncodable {}
extension BrokenLinkSummary: ResponseEncodable {}

/// The Broken Links tab of an article or news item, the Broken Links view of a brand, an immediate scan of one
/// item and "Rescan All" (which the periodic worker then carries out). Employees with Scan Broken Links only.
public struct BrokenLinkController: Sendable {
    let links: LinkCheckStore
    let scanner: BrokenLinkScanner
    let content: ArticleController

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        let collection = content.kind.collection
        group.get("\(collection)/{id}/broken-links") { _, context in
            let article = try await scannable(context)
            return Items(items: try await links.checks(of: try ArticleID.parse(article.id)))
        }
        group.post("\(collection)/{id}/broken-links/scan") { _, context in
            let article = try await scannable(context)
            return Items(items: try await scanner.scan([article])[article.id] ?? [])
        }
        group.get("\(collection)/broken-links") { request, context in
            try requireScanner(context)
            let (_, brand) = try KnowledgeReaders.reader(context, brandParameter: request.uri.queryParameters["brandID"].map(String.init))
            return Items(items: try await links.brokenContent(brandID: brand, kind: content.kind))
        }
        group.post("\(collection)/broken-links/rescan") { request, context in
            try requireScanner(context)
            let (_, brand) = try KnowledgeReaders.reader(context, brandParameter: request.uri.queryParameters["brandID"].map(String.init))
            try await links.requestRescan(brandID: brand, kind: content.kind)
            return Response(status: .accepted)
        }
    }

    func requireScanner(_ context: ServiceRequestContext) throws {
        guard Authorization.isEmployee(context.principal) else { throw Problem.forbidden("Broken links are for employees.") }
        try Authorization.require(context.principal, content.feature, "Scan Broken Links")
    }

    func scannable(_ context: ServiceRequestContext) async throws -> Article {
        try requireScanner(context)
        return try await content.readable(context, brandParameter: nil)
    }
}

/// An article id from its text form.
enum ArticleID {
    static func parse(_ text: String) throws -> UUID {
        guard let id = UUID(parsing: text) else { throw Problem.notFound("No such article.") }
        return id
    }
}
