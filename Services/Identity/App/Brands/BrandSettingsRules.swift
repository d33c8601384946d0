import Contracts
import Foundation
import ServiceKit

/// What makes brand settings valid, as a plain function over the settings and the role names that exist.
public enum BrandSettingsRules {
    public static let maximumHTMLLength = 20_000
    public static let maximumCSSLength = 50_000

    /// The settings with the portal's announcement and footer made safe HTML: every visitor of the portal sees them.
    public static func madeSafe(_ settings: BrandSettings) -> BrandSettings {
        var safe = settings
        for text in [\BrandSettings.mainPortalAnnouncement, \.additionalPortalFooter] where !safe[keyPath: text].isEmpty {
            safe[keyPath: text] = SafeHTML.sanitize(safe[keyPath: text], media: MediaPolicy(frameHosts: []))
        }
        return safe
    }

    public static func validate(_ settings: BrandSettings, roleNames: Set<String>) throws {
        var errors: [Problem.FieldError] = []
        func check(_ ok: Bool, _ field: String, _ message: String) {
            if !ok { errors.append(.init(field: field, message: message)) }
        }
        check(settings.companyWebsite.map(UserProfileRules.isWebURL) ?? true, "companyWebsite", "must be an http(s) URL")
        check((1...100).contains(settings.defaultFont.count), "defaultFont", "1...100 characters")
        check(settings.mainPortalAnnouncement.count <= maximumHTMLLength, "mainPortalAnnouncement", "at most \(maximumHTMLLength) characters")
        check(settings.additionalPortalFooter.count <= maximumHTMLLength, "additionalPortalFooter", "at most \(maximumHTMLLength) characters")
        let portal = settings.portal
        check(portal.privacyPolicyURL.map(UserProfileRules.isWebURL) ?? !portal.privacyPolicyEnabled,
              "portal.privacyPolicyURL", "must be an http(s) URL when the privacy policy is enabled")
        let colors: [(String, String)] = [
            ("primaryColor", portal.primaryColor), ("secondaryColor", portal.secondaryColor), ("primaryButtonColor", portal.primaryButtonColor),
            ("secondaryButtonColor", portal.secondaryButtonColor), ("buttonTextColor", portal.buttonTextColor),
            ("contentBackgroundColor", portal.contentBackgroundColor), ("navigationBarColor", portal.navigationBarColor),
            ("textColor", portal.textColor), ("linkColor", portal.linkColor),
        ]
        for (name, color) in colors { check(isHexColor(color), "portal.\(name)", "must be a color as #RRGGBB") }
        check(portal.customCSS.count <= maximumCSSLength, "portal.customCSS", "at most \(maximumCSSLength) characters")
        check(!portal.customCSS.lowercased().contains("</style"), "portal.customCSS", "must not close the style element")
        for gate in settings.permissions.roleGates {
            check(gate.role == "Nobody" || roleNames.contains(gate.role), "permissions.\(gate.field)", "must be a role or Nobody")
        }
        check((0...1_000).contains(settings.permissions.minimumPostsToPostLinks), "permissions.minimumPostsToPostLinks", "0...1000")
        for problem in settings.businessHours.problems(prefix: "businessHours") { check(false, problem.field, problem.message) }
        try Problem.throwIfInvalid(errors)
    }

    static func isHexColor(_ text: String) -> Bool {
        text.count == 7 && text.first == "#" && text.dropFirst().allSatisfy(\.isHexDigit)
    }
}
