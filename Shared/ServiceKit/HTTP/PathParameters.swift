import Contracts
import Foundation
import Hummingbird

extension ServiceRequestContext {
    /// The path parameter `name` as a UUID; a missing or malformed one answers 404 with `message`, as an id that
    /// names nothing would.
    public func uuidParameter(_ name: String, notFound message: String) throws -> UUID {
        guard let text = parameters.get(name), let id = UUID(parsing: text) else { throw Problem.notFound(message) }
        return id
    }
}
