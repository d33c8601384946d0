import Foundation
import Auth
import Hummingbird
import ServiceKit

extension SecuritySettings: ResponseEncodable {}

/// `GET`/`PATCH /api/v1/identity/settings/security` (system administrator).
public struct SecuritySettingsController: Sendable {
    let security: SecurityRepository

    public init(security: SecurityRepository) {
        self.security = security
    }

    /// A change: absent fields keep their value.
    struct Change: Decodable {
        var bruteForceProtection: Bool?
        var maxFailedSignIns: Int?
        var maxFailedSignInsPerAddress: Int?
        var lockoutMinutes: Int?
        var passwordMinimumLength: Int?
        var requireNumbers: Bool?
        var requireUppercase: Bool?
        var requireLowercase: Bool?
        var requireSymbol: Bool?
        var requireNotUsername: Bool?
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("settings/security") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let settings = try await security.settings()
            return EditedResponse(headers: [.eTag: IfMatch.etag(settings.version)], response: settings)
        }
        group.delete("settings/security/lockouts/{email}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard let email = context.parameters.get("email")?.removingPercentEncoding?.lowercased(), !email.isEmpty else {
                throw Problem.notFound("No such account.")
            }
            try await security.clear(.account, email)
            return Response(status: .noContent)
        }
        group.patch("settings/security") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let change = try await request.decodeJSON(Change.self, context: context)
            let updated = try await security.update(expectedVersion: try IfMatch.version(request)) { try Self.apply(change, to: &$0) }
            return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
        }
    }

    static func apply(_ change: Change, to settings: inout SecuritySettings) throws {
        var errors: [Problem.FieldError] = []
        func number(_ value: Int?, _ field: String, _ range: ClosedRange<Int>, _ target: inout Int) {
            guard let value else { return }
            if range.contains(value) { target = value } else { errors.append(.init(field: field, message: "must be \(range.lowerBound)...\(range.upperBound)")) }
        }
        number(change.maxFailedSignIns, "maxFailedSignIns", 1...1000, &settings.maxFailedSignIns)
        number(change.maxFailedSignInsPerAddress, "maxFailedSignInsPerAddress", 1...100_000, &settings.maxFailedSignInsPerAddress)
        number(change.lockoutMinutes, "lockoutMinutes", 1...1440, &settings.lockoutMinutes)
        number(change.passwordMinimumLength, "passwordMinimumLength", 1...PasswordPolicy.maximumBytes, &settings.passwordMinimumLength)
        guard errors.isEmpty else { throw Problem.unprocessable("Some settings are out of range.", errors: errors) }
        settings.bruteForceProtection = change.bruteForceProtection ?? settings.bruteForceProtection
        settings.requireNumbers = change.requireNumbers ?? settings.requireNumbers
        settings.requireUppercase = change.requireUppercase ?? settings.requireUppercase
        settings.requireLowercase = change.requireLowercase ?? settings.requireLowercase
        settings.requireSymbol = change.requireSymbol ?? settings.requireSymbol
        settings.requireNotUsername = change.requireNotUsername ?? settings.requireNotUsername
    }
}
