import Auth
import Contracts
import Database
import Hummingbird
import ServiceKit

extension RegisteredUser: ResponseEncodable {}

/// `POST /api/v1/identity/registrations`: a visitor opens a portal account, passing the CAPTCHA while Options → Captcha
/// has one on (the built-in one by default).
public struct RegistrationController: Sendable {
    let registrations: RegistrationService
    let documents: SettingsDocuments
    let captcha: CaptchaCheck

    public init(registrations: RegistrationService, documents: SettingsDocuments, captcha: CaptchaCheck) {
        self.registrations = registrations
        self.documents = documents
        self.captcha = captcha
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("registrations") { request, context in
            let body = try await request.decodeJSON(RegistrationRequest.self, context: context)
            let settings = try await documents.find(ManagementSettingsController.section, defaults: ManagementSettings()).settings
            let solved = try await captcha.pass(CaptchaCheck.Setting(settings), challenge: body.captcha, response: body.captchaResponse)
            return EditedResponse(
                status: .created,
                response: try await registrations.register(body, brandID: context.brandID, linkBase: PublicOrigin.of(request), captcha: solved))
        }
    }
}
