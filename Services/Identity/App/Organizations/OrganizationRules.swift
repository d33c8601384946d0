import Foundation
import ServiceKit

/// Member filters as the Organizations chapter describes them: values normalized so matching is exact, and
/// phone members never get the portal's organization tab.
public enum OrganizationRules {
    public static func normalize(_ member: NewOrganizationMember) throws -> (OrganizationMember.Kind, String, Bool) {
        let raw = member.value.trimmingCharacters(in: .whitespaces)
        let value: String?
        switch member.kind {
        case .email: value = (try? RegistrationService.validateEmail(raw))?.lowercased()
        case .username: value = raw.isEmpty || raw.utf8.count > 254 ? nil : raw.lowercased()
        case .domain: value = BrandRules.normalizeHostname(raw.hasPrefix("@") ? String(raw.dropFirst()) : raw)
        case .phone: value = normalizePhone(raw)
        }
        guard let value else {
            throw Problem.unprocessable("'\(raw)' is not a valid \(member.kind.rawValue).", errors: [.init(field: "value", message: "invalid \(member.kind.rawValue)")])
        }
        let viewTickets = member.viewOrganizationTickets ?? false
        if viewTickets && member.kind == .phone {
            throw Problem.unprocessable(
                "Phone members cannot view organization tickets in the portal.",
                errors: [.init(field: "viewOrganizationTickets", message: "not for phone members")])
        }
        return (member.kind, value, viewTickets)
    }

    /// Digits only, with a leading + kept: "(623) 434-8050" and "623.434.8050" are one number.
    public static func normalizePhone(_ raw: String) -> String? {
        let digits = raw.filter(\.isNumber)
        guard (5...20).contains(digits.count) else { return nil }
        return (raw.hasPrefix("+") ? "+" : "") + digits
    }

    /// Whether a user belongs through this member filter (email, username and domain compared on the account's
    /// email, which is also its username here).
    public static func matches(_ member: OrganizationMember, email: String, phone: String? = nil) -> Bool {
        let email = email.lowercased()
        switch member.kind {
        case .email, .username: return member.value == email
        case .domain: return email.split(separator: "@").last.map(String.init) == member.value
        case .phone: return phone.flatMap(normalizePhone) == member.value
        }
    }
}
