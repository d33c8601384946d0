import Auth
import Contracts
import ServiceKit

/// What tickets follows of a brand's portal settings (brand settings in identity): Permissions → View Ticket Requires,
/// "the Role necessary for portal visitors to view tickets in the portal" [S001:5806], and Portal → Ticket and Chat
/// Privacy Policy URL, whose Enabled box puts "a message on the Ticket and Chat submission pages that a user must
/// consent to prior to actually submitting a ticket" [S001:5832].
public struct BrandPortalSettings: Sendable, Equatable {
    public var viewTicketsRequires = PredefinedRoles.registeredUser
    /// The privacy policy a visitor consents to when submitting a ticket; nil when the brand asks for no consent.
    public var privacyPolicyURL: String?

    public init(viewTicketsRequires: String = PredefinedRoles.registeredUser, privacyPolicyURL: String? = nil) {
        self.viewTicketsRequires = viewTicketsRequires
        self.privacyPolicyURL = privacyPolicyURL
    }

    /// A portal submission needs the visitor's consent when the brand has a privacy policy enabled; agents creating
    /// tickets never see the portal's form.
    public func checkConsent(_ consent: Bool?, byAgent: Bool) throws {
        guard !byAgent, privacyPolicyURL != nil, consent != true else { return }
        throw Problem.unprocessable(
            "Consent to the privacy policy before submitting a ticket.",
            errors: [.init(field: "privacyPolicyConsent", message: "required: the brand's privacy policy must be accepted")])
    }
}
