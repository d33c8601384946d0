/// Settings → Management Interface → Options (seed 001, 7499–7510): one document for the installation, changed by
/// system administrators and carried whole by `management_settings.changed` on `identity.events`, so the services
/// that act on it (knowledge's stale dates, tickets' automatic time logs) keep their own copy.
public struct ManagementSettings: Codable, Sendable, Equatable {
    public static let defaultStaleAfterDays = 365

    /// "SmarterTrack Base URL": the portal's address, for links in emails; empty until an administrator sets it.
    public var baseURL = ""
    /// "Enable simultaneous login to the portal and management interface" (default off).
    public var simultaneousSignIn = false
    /// "Enable automatic time log creation" for items their owner has open for at least a minute.
    public var automaticTimeLogs = false
    /// "Login Background": a stock image's name or a solid color as #RRGGBB.
    public var loginBackground = "default"
    /// "Knowledge Base Articles and Canned Replies Stale After" (days, default 365).
    public var staleAfterDays = ManagementSettings.defaultStaleAfterDays
    /// Uploads: "Allowed extensions for document uploads in HTML editor", what agents may attach (`*.*`: anything).
    public var agentUploadExtensions = ManagementSettings.defaultAgentUploadExtensions
    /// Uploads: "Allowed extensions for end user file uploads", what customers may attach from the portal, chat or
    /// email; each with its dot (".jpg"), or `*.*`.
    public var userUploadExtensions = ManagementSettings.defaultUserUploadExtensions
    /// Uploads: the largest attachment in megabytes ("By default, the maximum size allowed for any attachments is 2MB",
    /// seed 001, 7575); at most ``maximumAttachmentMBLimit``, which the gateway's default body limit leaves room for.
    public var maxAttachmentMB = ManagementSettings.defaultMaxAttachmentMB
    /// Options → Captcha: what unverified users (without "Registered User with Verified Email") must pass to submit a
    /// ticket from the portal. On by default, as the documents have it; an administrator may set it to none.
    public var captcha = CaptchaMode.builtin
    /// Options → Captcha → Google reCAPTCHA: the "Site key" the portal's widget shows, and the "Secret key" the services
    /// send with each answer to check it. Only system administrators read these settings; the secret also travels on
    /// `identity.events`, sealed with the fleet's token secret (Auth's `SecretSeal`), so that every service that checks
    /// answers has it and the broker does not.
    public var captchaSiteKey = ""
    public var captchaSecretKey = ""
    /// Where answers are checked: Google's by default. hCaptcha and Cloudflare Turnstile answer the same protocol, for
    /// places where Google is blocked (the documents note reCAPTCHA fails there).
    public var captchaVerifyURL = ManagementSettings.googleVerifyURL

    public static let defaultAgentUploadExtensions = ["*.*"]
    public static let defaultMaxAttachmentMB = 2
    public static let maximumAttachmentMBLimit = 15
    public static let googleVerifyURL = "https://www.google.com/recaptcha/api/siteverify"
    public static let defaultUserUploadExtensions = [
        ".jpg", ".jpeg", ".png", ".gif", ".pdf", ".txt", ".log", ".csv", ".doc", ".docx", ".xls", ".xlsx", ".zip",
    ]

    public init() {}

    /// Absent fields (an event written before a field existed) keep their documented defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ManagementSettings()
        baseURL = try container.decodeIfPresent(String.self, forKey: .baseURL) ?? defaults.baseURL
        simultaneousSignIn = try container.decodeIfPresent(Bool.self, forKey: .simultaneousSignIn) ?? defaults.simultaneousSignIn
        automaticTimeLogs = try container.decodeIfPresent(Bool.self, forKey: .automaticTimeLogs) ?? defaults.automaticTimeLogs
        loginBackground = try container.decodeIfPresent(String.self, forKey: .loginBackground) ?? defaults.loginBackground
        staleAfterDays = try container.decodeIfPresent(Int.self, forKey: .staleAfterDays) ?? defaults.staleAfterDays
        agentUploadExtensions = try container.decodeIfPresent([String].self, forKey: .agentUploadExtensions) ?? defaults.agentUploadExtensions
        userUploadExtensions = try container.decodeIfPresent([String].self, forKey: .userUploadExtensions) ?? defaults.userUploadExtensions
        maxAttachmentMB = try container.decodeIfPresent(Int.self, forKey: .maxAttachmentMB) ?? defaults.maxAttachmentMB
        captcha = try container.decodeIfPresent(CaptchaMode.self, forKey: .captcha) ?? defaults.captcha
        captchaSiteKey = try container.decodeIfPresent(String.self, forKey: .captchaSiteKey) ?? defaults.captchaSiteKey
        captchaSecretKey = try container.decodeIfPresent(String.self, forKey: .captchaSecretKey) ?? defaults.captchaSecretKey
        captchaVerifyURL = try container.decodeIfPresent(String.self, forKey: .captchaVerifyURL) ?? defaults.captchaVerifyURL
    }
}

/// The CAPTCHA modes: none, the built-in proof of work (`GET /api/v1/identity/captcha`), which needs no third party,
/// or Google reCAPTCHA (or a service answering its protocol at ``ManagementSettings/captchaVerifyURL``).
public enum CaptchaMode: String, Codable, Sendable, CaseIterable {
    case none
    case builtin
    case recaptcha
}

/// A settings document with the version that is its ETag.
public struct VersionedSettings<Settings: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var settings: Settings
    public var version: Int

    public init(settings: Settings, version: Int) {
        self.settings = settings
        self.version = version
    }
}

public enum SettingsEventType {
    public static let managementChanged = "management_settings.changed"
}
