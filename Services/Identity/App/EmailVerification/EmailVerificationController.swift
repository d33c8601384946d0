import Auth
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

public struct EmailVerificationController: Sendable {
    let verifications: EmailVerificationService
    let users: UserRepository

    public init(verifications: EmailVerificationService, users: UserRepository) {
        self.verifications = verifications
        self.users = users
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("email-verifications") { request, context in
            let principal = try Authorization.requireAccountHolder(context.principal)
            guard let id = UUID(parsing: principal.userID), let user = try await users.find(id: id) else {
                throw Problem.unauthorized("The token names no user.")
            }
            try await verifications.resend(to: user, linkBase: PublicOrigin.of(request))
            return Response(status: .accepted)
        }
        group.post("email-verifications/confirm") { request, context in
            try await verifications.confirm(try await request.decodeJSON(EmailVerificationConfirmation.self, context: context))
            return Response(status: .noContent)
        }
    }
}
