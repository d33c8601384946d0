import Auth
import Foundation
import Hummingbird
import ServiceKit

extension QualityControlRule: ResponseEncodable {}

/// Tickets settings → Quality Control (system administrators): `GET /api/v1/tickets/quality-control` and
/// `GET`/`PUT`/`DELETE …/quality-control/{agentID}`. A copied reply is a `ticket.quality_copy_requested` event
/// naming the message and the reviewer's address, for the mail service to send.
public struct QualityControlController: Sendable {
    let store: TicketStore

    public init(store: TicketStore) {
        self.store = store
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("quality-control") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            return Items(items: try await store.qualityControlRules())
        }
        group.get("quality-control/{agentID}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard let rule = try await store.qualityControlRule(agent: try Self.agentID(context)) else { throw Problem.notFound("No rule for this agent.") }
            return rule
        }
        group.put("quality-control/{agentID}") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let agent = try Self.agentID(context)
            let rule = try QualityControl.rule(try await request.decodeJSON(QualityControlInput.self, context: context), agentID: agent.uuidString.lowercased())
            guard try await store.setQualityControlRule(rule) else { throw Problem.notFound("No such agent.") }
            return rule
        }
        group.delete("quality-control/{agentID}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard try await store.deleteQualityControlRule(agent: try Self.agentID(context)) else { throw Problem.notFound("No rule for this agent.") }
            return Response(status: .noContent)
        }
    }

    static func agentID(_ context: ServiceRequestContext) throws -> UUID {
        try context.uuidParameter("agentID", notFound: "No rule for this agent.")
    }
}
