import Auth
import Contracts
import Database
import Foundation
import Hummingbird
import ServiceKit

/// `GET /api/v1/identity/captcha`: what the portal must pass before an unverified user submits a ticket. With the
/// built-in CAPTCHA on (Options → Captcha, the default), a fresh proof-of-work challenge; with Google reCAPTCHA, the
/// site key its widget shows; with it off, `"none"`.
public struct CaptchaController: Sendable {
    /// The answer: the mode, and with the built-in CAPTCHA a challenge to solve, or with reCAPTCHA the widget's site key.
    struct Offer: Codable, Sendable, ResponseEncodable {
        var mode: CaptchaMode
        var challenge: String?
        var difficulty: Int?
        var expiresAt: Date?
        var siteKey: String?
    }

    let documents: SettingsDocuments
    let captcha: ProofOfWorkCaptcha

    public init(documents: SettingsDocuments, captcha: ProofOfWorkCaptcha) {
        self.documents = documents
        self.captcha = captcha
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("captcha") { _, _ in
            let settings = try await documents.find(ManagementSettingsController.section, defaults: ManagementSettings()).settings
            switch settings.captcha {
            case .none:
                return Offer(mode: .none)
            case .recaptcha:
                return Offer(mode: .recaptcha, siteKey: settings.captchaSiteKey)
            case .builtin:
                let issued = captcha.issue()
                return Offer(mode: .builtin, challenge: issued.challenge, difficulty: issued.difficulty, expiresAt: issued.expiresAt)
            }
        }
    }
}
