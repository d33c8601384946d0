import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension TicketSignature: ResponseEncodable {}

/// Settings → Tickets, Signatures (system administrators): `/api/v1/tickets/signatures`, one global signature
/// and one per brand, department or group, each replaced whole with `If-Match` on its version. Agents' replies
/// end with the most specific one, its variables filled in.
public struct SignatureController: Sendable {
    let store: TicketStore

    public init(store: TicketStore) {
        self.store = store
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("signatures") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            return Items(items: try await store.signatures())
        }
        group.post("signatures") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let input = try await request.decodeJSON(SignatureInput.self, context: context)
            return Self.response(try await store.saveSignature(input, id: UUIDv7.generate(), expectedVersion: nil), status: .created)
        }
        group.get("signatures/{signatureID}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard let signature = try await store.signature(try Self.signatureID(context)) else { throw Problem.notFound("No such signature.") }
            return Self.response(signature, status: .ok)
        }
        group.put("signatures/{signatureID}") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let id = try Self.signatureID(context)
            guard let current = try await store.signature(id) else { throw Problem.notFound("No such signature.") }
            let input = try await request.decodeJSON(SignatureInput.self, context: context)
            return Self.response(
                try await store.saveSignature(input, id: id, expectedVersion: try IfMatch.version(request) ?? current.version), status: .ok)
        }
        group.delete("signatures/{signatureID}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard try await store.deleteSignature(try Self.signatureID(context)) else { throw Problem.notFound("No such signature.") }
            return Response(status: .noContent)
        }
    }

    static func signatureID(_ context: ServiceRequestContext) throws -> UUID {
        try context.uuidParameter("signatureID", notFound: "No such signature.")
    }

    static func response(_ signature: TicketSignature, status: HTTPResponse.Status) -> EditedResponse<TicketSignature> {
        EditedResponse(status: status, headers: [.eTag: IfMatch.etag(signature.version)], response: signature)
    }
}
