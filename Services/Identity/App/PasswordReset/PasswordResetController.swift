import HTTPTypes
import Hummingbird
import ServiceKit

/// The forgotten-password routes: asking always answers 202, so the answer reveals no account.
public struct PasswordResetController: Sendable {
    let resets: PasswordResetService

    public init(resets: PasswordResetService) {
        self.resets = resets
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("password-resets") { request, context in
            let body = try await request.decodeJSON(PasswordResetRequest.self, context: context)
            try await resets.request(email: body.email, linkBase: PublicOrigin.of(request))
            return Response(status: .accepted)
        }
        group.post("password-resets/confirm") { request, context in
            try await resets.confirm(try await request.decodeJSON(PasswordResetConfirmation.self, context: context))
            return Response(status: .noContent)
        }
    }
}
