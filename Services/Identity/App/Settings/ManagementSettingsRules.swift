import Contracts
import ServiceKit

/// What makes the Management Interface settings valid.
public enum ManagementSettingsRules {
    public static let staleAfterDaysRange = 1...36_500

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
        try Problem.throwIfInvalid(errors)
    }
}
