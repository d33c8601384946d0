import Auth
import Foundation
import Hummingbird
import ServiceKit

extension SearchReport: ResponseEncodable {}

/// `GET /api/v1/knowledge/reports/searches?from=&to=` (Reports: View Reports): the Knowledge Base Searches report
/// of the host's brand (employees may name `?brandID=`) — searches, visitors searching, average result count,
/// searches resulting in views and % finding, and the searches without results or without views.
public struct SearchReportController: Sendable {
    let store: ArticleStore

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("reports/searches") { request, context in
            try Authorization.require(context.principal, .reports, "View Reports")
            let (_, brand) = try KnowledgeReaders.reader(context, brandParameter: request.uri.queryParameters["brandID"].map(String.init))
            let now = Date()
            let parameter = { (name: String) in request.uri.queryParameters[Substring(name)].map(String.init) }
            let from = try StatisticsController.date(parameter("from"), field: "from", endOfDay: false) ?? now.addingTimeInterval(-30 * 86_400)
            let to = try StatisticsController.date(parameter("to"), field: "to", endOfDay: true) ?? now
            return try await store.searchReport(brandID: brand, from: from, to: to)
        }
    }
}
