import Contracts
import ServiceKit

/// What a portal submission must pass while Options → Captcha is on, whichever CAPTCHA the installation uses: the
/// built-in proof of work (whose accepted challenge the caller spends with what it guards) or a provider's token.
public struct CaptchaCheck: Sendable {
    /// The part of the Management settings a check needs, as identity has it or as a service keeps a copy.
    public struct Setting: Sendable, Equatable {
        public var mode: CaptchaMode
        /// As identity stores it, or sealed as `management_settings.changed` announced it (``SecretSeal``).
        public var secretKey: String
        public var verifyURL: String

        public init(mode: CaptchaMode, secretKey: String = "", verifyURL: String = ManagementSettings.googleVerifyURL) {
            self.mode = mode
            self.secretKey = secretKey
            self.verifyURL = verifyURL
        }

        public init(_ settings: ManagementSettings) {
            self.init(mode: settings.captcha, secretKey: settings.captchaSecretKey, verifyURL: settings.captchaVerifyURL)
        }
    }

    public let builtin: ProofOfWorkCaptcha
    let seal: SecretSeal
    let provider: SiteVerifyCaptcha

    /// `seal` opens a secret key announced sealed; both come from the service's ``TokenService``.
    public init(builtin: ProofOfWorkCaptcha, seal: SecretSeal, provider: SiteVerifyCaptcha = SiteVerifyCaptcha()) {
        self.builtin = builtin
        self.seal = seal
        self.provider = provider
    }

    public init(_ tokens: TokenService, provider: SiteVerifyCaptcha = SiteVerifyCaptcha()) {
        self.init(builtin: tokens.captcha, seal: tokens.seal, provider: provider)
    }

    /// Passes a submission that sent `challenge` (the built-in CAPTCHA solved) or `response` (a provider's token):
    /// the accepted built-in challenge, to be spent once; nil for the other modes. A 422 when it does not pass.
    public func pass(
        _ setting: Setting, challenge: ProofOfWorkCaptcha.Answer?, response: String?
    ) async throws -> ProofOfWorkCaptcha.Accepted? {
        switch setting.mode {
        case .none:
            return nil
        case .builtin:
            return try builtin.accept(challenge)
        case .recaptcha:
            let secretKey: String
            do {
                secretKey = try seal.open(setting.secretKey)
            } catch {
                throw Problem.unavailable(
                    "This service cannot read the CAPTCHA secret identity announced: its CONCIERGE_TOKEN_SECRET differs from identity's.")
            }
            try await provider.verify(response, secretKey: secretKey, at: setting.verifyURL)
            return nil
        }
    }
}
