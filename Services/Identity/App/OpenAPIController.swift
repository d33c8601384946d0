import Foundation
import Hummingbird
import ServiceKit

/// `GET /api/v1/identity/openapi.yaml`: the contract of this service, read once from the bundled file.
public struct OpenAPIController: Sendable {
    let document: ByteBuffer?

    public init() {
        document = Bundle.module.url(forResource: "openapi", withExtension: "yaml")
            .flatMap { try? Data(contentsOf: $0) }
            .map { ByteBuffer(bytes: Array($0)) }
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        let document = self.document
        group.get("openapi.yaml") { _, _ in
            guard let document else { throw Problem.notFound("The OpenAPI document is not installed.") }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: document))
        }
    }
}
