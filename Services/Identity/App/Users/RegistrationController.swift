import Hummingbird
import ServiceKit

extension RegisteredUser: ResponseEncodable {}

public struct RegistrationController: Sendable {
    let registrations: RegistrationService

    public init(registrations: RegistrationService) {
        self.registrations = registrations
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("registrations") { request, context in
            let body = try await request.decodeJSON(RegistrationRequest.self, context: context)
            return EditedResponse(status: .created, response: try await registrations.register(body, brandID: context.brandID, linkBase: PublicOrigin.of(request)))
        }
    }
}
