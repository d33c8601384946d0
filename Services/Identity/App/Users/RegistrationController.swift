import Auth
import Contracts
import Database
import Hummingbird
import ServiceKit

extension RegisteredUser: ResponseEncodable {}

/// `POST /api/v1/identity/registrations`: a visitor opens a portal account, passing the built-in CAPTCHA while
/// Options → Captcha has it on (the default).
public struct RegistrationController: Sendable {
    let registrations: RegistrationService
    let documents: SettingsDocuments
    let captcha: ProofOfWorkCaptcha

    public init(registrations: RegistrationService, documents: SettingsDocuments, captcha: ProofOfWorkCaptcha) {
        self.registrations = registrations
        self.documents = documents
        self.captcha = captcha
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("registrations") { request, context in
            let body = try await request.decodeJSON(RegistrationRequest.self, context: context)
            let settings = try await documents.find(ManagementSettingsController.section, defaults: ManagementSettings()).settings
            let solved = settings.captcha == .builtin ? try captcha.accept(body.captcha) : nil
            return EditedResponse(
                status: .created,
                response: try await registrations.register(body, brandID: context.brandID, linkBase: PublicOrigin.of(request), captcha: solved))
        }
    }
}
