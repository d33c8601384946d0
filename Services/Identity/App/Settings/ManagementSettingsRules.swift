import Auth
import Contracts
import ServiceKit

/// What makes the Management Interface settings valid.
public enum ManagementSettingsRules {
    public static let staleAfterDaysRange = 1...36_500

    /// An entry of an upload list: `*.*`, or a dot and up to 20 letters or digits (".jpg", not "jpg").
    static func isExtension(_ entry: String) -> Bool {
        entry == "*.*" || (entry.count >= 2 && entry.count <= 21 && entry.first == "." && entry.dropFirst().allSatisfy { $0.isLetter || $0.isNumber })
    }

    /// Google reCAPTCHA needs both of its keys; the address answers are checked at is a web URL.
    static func captchaErrors(_ settings: ManagementSettings) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        for (field, key) in [("captchaSiteKey", settings.captchaSiteKey), ("captchaSecretKey", settings.captchaSecretKey)] {
            if settings.captcha == .recaptcha && key.isEmpty {
                errors.append(.init(field: field, message: "Google reCAPTCHA needs the site key and the secret key Google gave this site"))
            } else if key.count > 200 || key.contains(where: \.isWhitespace) {
                errors.append(.init(field: field, message: "at most 200 characters, without spaces"))
            }
        }
        if !UserProfileRules.isWebURL(settings.captchaVerifyURL) {
            errors.append(.init(field: "captchaVerifyURL", message: "must be an http(s) URL (Google's, hCaptcha's or Turnstile's siteverify)"))
        }
        return errors
    }

    /// The settings as `management_settings.changed` announces them: every field as stored, but Google reCAPTCHA's
    /// secret key sealed, so that the broker and the services' copies of the event never hold it readable. The
    /// services that check answers open it with the token secret they share with identity.
    public static func announced(_ settings: ManagementSettings, sealedWith seal: SecretSeal) throws -> ManagementSettings {
        var announced = settings
        announced.captchaSecretKey = try seal.seal(settings.captchaSecretKey)
        return announced
    }

    public static func validate(_ settings: ManagementSettings) throws {
        var errors: [Problem.FieldError] = []
        if !settings.baseURL.isEmpty && !UserProfileRules.isWebURL(settings.baseURL) {
            errors.append(.init(field: "baseURL", message: "must be an http(s) URL"))
        }
        if settings.loginBackground != "default" && !BrandSettingsRules.isHexColor(settings.loginBackground) {
            errors.append(.init(field: "loginBackground", message: "must be \"default\" (the stock images) or a color as #RRGGBB"))
        }
        if !staleAfterDaysRange.contains(settings.staleAfterDays) {
            errors.append(.init(field: "staleAfterDays", message: "must be \(staleAfterDaysRange.lowerBound)...\(staleAfterDaysRange.upperBound)"))
        }
        for (field, list) in [("agentUploadExtensions", settings.agentUploadExtensions), ("userUploadExtensions", settings.userUploadExtensions)]
        where !list.allSatisfy(isExtension) {
            errors.append(.init(field: field, message: "one extension per entry with its dot (.jpg), or *.* for any file"))
        }
        if !(1...ManagementSettings.maximumAttachmentMBLimit).contains(settings.maxAttachmentMB) {
            errors.append(.init(field: "maxAttachmentMB", message: "must be 1...\(ManagementSettings.maximumAttachmentMBLimit) (megabytes)"))
        }
        errors += captchaErrors(settings)
        try Problem.throwIfInvalid(errors)
    }
}
