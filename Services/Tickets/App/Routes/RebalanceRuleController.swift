import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension RebalanceRule: ResponseEncodable {}

/// Tickets settings, Rebalance Rules (system administrators): `/api/v1/tickets/rebalance-rules`, each rule
/// replaced whole with `If-Match` on its version.
public struct RebalanceRuleController: Sendable {
    let store: TicketStore

    public init(store: TicketStore) {
        self.store = store
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("rebalance-rules") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let groupID = try request.uri.queryParameters["groupID"].map { text in
                guard let id = UUID(parsing: String(text)) else { throw Problem.badRequest("groupID must be a group id.") }
                return id
            }
            return Items(items: try await store.rebalanceRules(group: groupID))
        }
        group.post("rebalance-rules") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let input = try await request.decodeJSON(RebalanceRuleInput.self, context: context)
            let rule = try await store.saveRebalanceRule(input, id: UUIDv7.generate(), expectedVersion: nil)
            return Self.response(rule, status: .created)
        }
        group.get("rebalance-rules/{ruleID}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard let rule = try await store.rebalanceRule(try Self.ruleID(context)) else { throw Problem.notFound("No such rebalance rule.") }
            return Self.response(rule, status: .ok)
        }
        group.put("rebalance-rules/{ruleID}") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let id = try Self.ruleID(context)
            guard let current = try await store.rebalanceRule(id) else { throw Problem.notFound("No such rebalance rule.") }
            let input = try await request.decodeJSON(RebalanceRuleInput.self, context: context)
            let rule = try await store.saveRebalanceRule(input, id: id, expectedVersion: try IfMatch.version(request) ?? current.version)
            return Self.response(rule, status: .ok)
        }
        group.delete("rebalance-rules/{ruleID}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard try await store.deleteRebalanceRule(try Self.ruleID(context)) else { throw Problem.notFound("No such rebalance rule.") }
            return Response(status: .noContent)
        }
    }

    static func ruleID(_ context: ServiceRequestContext) throws -> UUID {
        try context.uuidParameter("ruleID", notFound: "No such rebalance rule.")
    }

    static func response(_ rule: RebalanceRule, status: HTTPResponse.Status) -> EditedResponse<RebalanceRule> {
        EditedResponse(status: status, headers: [.eTag: IfMatch.etag(rule.version)], response: rule)
    }
}
