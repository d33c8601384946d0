import Foundation
import Hummingbird

/// `GET <prefix>/openapi.yaml`: a service's contract, read once from the file its bundle carries.
public struct OpenAPIDocument: Sendable {
    let document: ByteBuffer?

    public init(resource url: URL?) {
        document = url.flatMap { try? Data(contentsOf: $0) }.map { ByteBuffer(bytes: Array($0)) }
    }

    public func addRoute(to group: RouterGroup<ServiceRequestContext>) {
        let document = self.document
        group.get("openapi.yaml") { _, _ in
            guard let document else { throw Problem.notFound("The OpenAPI document is not installed.") }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: document))
        }
    }
}
