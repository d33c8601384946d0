import Auth
import Contracts
import Foundation
import Hummingbird
import HTTPTypes
import ServiceKit

extension ArticleStatistics: ResponseEncodable {}

/// Helpfulness ratings (`POST …/{id}/rating`, where the brand enables voting) and the Statistics tab (`GET …/{id}/statistics?from=&to=`) of
/// articles or news; views are counted where pages and articles are read (`Visit`).
public struct StatisticsController: Sendable {
    let store: ArticleStore
    let content: ArticleController

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        let collection = content.kind.collection
        group.post("\(collection)/{id}/rating") { request, context in
            struct Body: Decodable { var helpful: Bool }
            let item = try await content.readable(context, brandParameter: nil)
            let body = try await request.decodeJSON(Body.self, context: context)
            guard try await content.gates.gates(ofBrand: context.brandID ?? item.brandID).votingEnabled else {
                throw Problem.forbidden("Voting on articles is not enabled for this portal.")
            }
            guard let rater = Visit.visitorKey(context) else { throw Problem.forbidden("Sign in to rate.") }
            try await store.rate(item, raterKey: rater, helpful: body.helpful)
            return Response(status: .noContent)
        }
        group.get("\(collection)/{id}/statistics") { request, context in
            guard Authorization.isEmployee(context.principal) else { throw Problem.forbidden("Statistics are for employees.") }
            let item = try await content.readable(context, brandParameter: nil)
            let now = Date()
            let parameter = { (name: String) in request.uri.queryParameters[Substring(name)].map(String.init) }
            let from = try Self.date(parameter("from"), field: "from", endOfDay: false) ?? now.addingTimeInterval(-30 * 86_400)
            let to = try Self.date(parameter("to"), field: "to", endOfDay: true) ?? now
            return try await store.statistics(of: try ArticleID.parse(item.id), from: from, to: to)
        }
    }

    static func date(_ text: String?, field: String, endOfDay: Bool) throws -> Date? {
        guard let text else { return nil }
        guard let date = SearchDates.date(text, endOfDay: endOfDay) else {
            throw Problem.unprocessable("Dates are ISO 8601.", errors: [.init(field: field, message: "an ISO 8601 date such as 2026-12-01")])
        }
        return date
    }
}

/// Counting a read: visitors' reads of public pages and of the API count, employees' do not.
enum Visit {
    /// The signed-in person, else the client's address as the gateway saw it.
    static func visitorKey(_ context: ServiceRequestContext) -> String? {
        if let user = context.principal?.userID { return "user:" + user }
        return context.clientAddress?.nonEmptyText.map { "ip:" + $0 }
    }

    /// `?search=<searchID>` on the read names the search whose results led here.
    static func record(_ item: Article, store: ArticleStore, request: Request, context: ServiceRequestContext) async throws {
        guard !Authorization.isEmployee(context.principal), let visitor = visitorKey(context) else { return }
        try await store.recordView(
            of: item, visitorKey: visitor, spider: Visitors.isSpider(userAgent: request.headers[.userAgent]),
            searchID: request.uri.queryParameters["search"].flatMap { UUID(parsing: String($0)) })
    }
}
