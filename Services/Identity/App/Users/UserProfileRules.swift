import Foundation
import ServiceKit

/// Who is editing a user, which decides the fields they may touch.
public struct ProfileEditor: Sendable, Equatable {
    public var isSelf: Bool
    /// Users/Organizations "Edit User/Organization" (agents have it by default).
    public var mayEditUsers: Bool
    public var isAdministrator: Bool
    /// The account changed holds an employee role: another employee's account is an administrator's to change.
    public var targetIsEmployee: Bool
    /// The Permissions of the portal the request came through, which hold portal users changing their own account.
    public var portal: PortalPermissions

    public init(isSelf: Bool, mayEditUsers: Bool, isAdministrator: Bool, targetIsEmployee: Bool = false, portal: PortalPermissions = PortalPermissions()) {
        self.isSelf = isSelf
        self.mayEditUsers = mayEditUsers
        self.isAdministrator = isAdministrator
        self.targetIsEmployee = targetIsEmployee
        self.portal = portal
    }

    /// A portal user (no employee role) changing their own account.
    var isPortalUserSelf: Bool { isSelf && !targetIsEmployee }

    /// 403 unless the editor may change this account at all: their own, or with Edit User/Organization a customer's;
    /// an administrator any.
    public func checkMayChange() throws {
        guard isAdministrator || isSelf || mayEditUsers else {
            throw Problem.forbidden("Your roles do not allow Edit User/Organization on Users/Organizations.")
        }
        try checkTargetIsNotAnotherEmployee()
    }

    /// 403 for another employee's account unless the editor is an administrator (whatever the Users/Organizations
    /// permissions allow, which are about customers).
    public func checkTargetIsNotAnotherEmployee() throws {
        if !isSelf && !isAdministrator && targetIsEmployee {
            throw Problem.forbidden("Only an administrator changes another employee's account.")
        }
    }

    /// 403 when a portal user changes what their portal's Permissions keep: `allowed` is the setting, `what` its name.
    func checkPortal(_ allowed: KeyPath<PortalPermissions, Bool>, _ what: String) throws {
        guard !isPortalUserSelf || portal[keyPath: allowed] else { throw Problem.forbidden("This portal does not let users change their \(what).") }
    }

    /// Change Password: an employee's always; a portal user's while the portal's Users can change password is on.
    public func checkPasswordChange() throws {
        try checkPortal(\.usersCanChangePassword, "password")
    }

    /// Uploading a custom avatar: as changing the account, and a portal user's own only while Users can upload custom
    /// avatars is on.
    public func checkAvatarUpload() throws {
        try checkMayChange()
        try checkPortal(\.usersCanUploadAvatars, "avatar")
    }
}

/// The rules of a user's profile, as plain functions: who may change which field and what a valid value is.
public enum UserProfileRules {
    public static let maximumSignatures = 20
    public static let maximumAliases = 10
    public static let maximumHTMLLength = 20_000

    /// `update` applied to `current`; 403 for a field the editor may not change, 422 naming every invalid field.
    public static func apply(_ update: UserUpdate, to current: UserDetails, editor: ProfileEditor, fields: [PeopleField]) throws -> UserDetails {
        try editor.checkMayChange()
        if let email = update.email, email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() != current.email.lowercased() {
            try editor.checkPortal(\.usersCanChangeEmailAddress, "email address")
        }
        if let name = update.displayName, name.trimmingCharacters(in: .whitespacesAndNewlines) != current.displayName {
            try editor.checkPortal(\.usersCanChangeDisplayName, "display name")
        }
        if let profile = update.profile, profile != current.profile {
            try editor.checkPortal(\.usersCanChangeProfile, "profile")
            if profile.avatarURL != current.profile.avatarURL { try editor.checkPortal(\.usersCanUploadAvatars, "avatar") }
        }
        var next = current
        var errors: [Problem.FieldError] = []
        if let email = update.email {
            do { next.email = try RegistrationService.validateEmail(email) } catch { errors.append(.init(field: "email", message: "is not an email address")) }
        }
        if let name = update.displayName {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if (1...100).contains(trimmed.count) { next.displayName = trimmed } else { errors.append(.init(field: "displayName", message: "1...100 characters")) }
        }
        if let profile = update.profile {
            let adminOnlyChanged = profile.maxActiveLiveChats != current.profile.maxActiveLiveChats
                || profile.maxTickets != current.profile.maxTickets || profile.hourlyCost != current.profile.hourlyCost
            if adminOnlyChanged && !editor.isAdministrator {
                throw Problem.forbidden("Only an administrator sets Max Active Live Chats, Max Tickets and Hourly Cost.")
            }
            errors += validate(profile)
            next.profile = profile
        }
        if let force = update.forcePasswordChange, force != current.forcePasswordChange {
            guard editor.isAdministrator else { throw Problem.forbidden("Only an administrator forces a password change.") }
            next.forcePasswordChange = force
        }
        if let values = update.customFields, !values.isEmpty {
            guard editor.isAdministrator || editor.mayEditUsers else {
                throw Problem.forbidden("People custom fields are filled in by agents.")
            }
            let applied = PeopleFieldValues.applying(values, to: next.customFields, fields: fields)
            next.customFields = applied.values
            errors += applied.errors
        }
        try Problem.throwIfInvalid(errors)
        return next
    }

    /// Every problem with a profile, empty when it is valid.
    public static func validate(_ profile: UserProfile) -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        func check(_ ok: Bool, _ field: String, _ message: String) {
            if !ok { errors.append(.init(field: "profile.\(field)", message: message)) }
        }
        check(profile.chatDisplayName.map { (1...100).contains($0.count) } ?? true, "chatDisplayName", "1...100 characters")
        check(profile.aliases.count <= maximumAliases, "aliases", "at most \(maximumAliases)")
        check(profile.aliases.allSatisfy { (1...100).contains($0.count) }, "aliases", "each 1...100 characters")
        check(profile.signatures.count <= maximumSignatures, "signatures", "at most \(maximumSignatures)")
        check(profile.signatures.allSatisfy { (1...100).contains($0.name.count) && $0.html.count <= maximumHTMLLength },
              "signatures", "each named (1...100 characters) with at most \(maximumHTMLLength) characters")
        check(Set(profile.signatures.map(\.name)).count == profile.signatures.count, "signatures", "names must differ")
        check((profile.portalSignature?.count ?? 0) <= maximumHTMLLength, "portalSignature", "at most \(maximumHTMLLength) characters")
        check((0...100).contains(profile.maxActiveLiveChats), "maxActiveLiveChats", "0...100")
        check(profile.maxTickets.map { (0...10_000).contains($0) } ?? true, "maxTickets", "0...10000")
        check(profile.hourlyCost >= 0 && profile.hourlyCost <= 100_000, "hourlyCost", "0...100000")
        check(profile.timeZone.map { TimeZone(identifier: $0) != nil } ?? true, "timeZone", "must be an IANA time zone such as Europe/Berlin")
        check(profile.preferredLanguage.map(isLanguageTag) ?? true, "preferredLanguage", "must be a language tag such as en or pt-BR")
        check(profile.avatarURL.map(isWebURL) ?? true, "avatarURL", "must be an http(s) URL")
        check(profile.contact.website.map(isWebURL) ?? true, "contact.website", "must be an http(s) URL")
        let contactTexts = [profile.contact.homePhone, profile.contact.cellPhone, profile.contact.workPhone, profile.contact.otherPhone,
                            profile.contact.company, profile.contact.homeAddress]
        check(contactTexts.allSatisfy { ($0?.count ?? 0) <= 200 }, "contact", "each at most 200 characters")
        return errors
    }

    static func isLanguageTag(_ tag: String) -> Bool {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        return parts.dropFirst().allSatisfy { (2...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    static func isWebURL(_ text: String) -> Bool {
        guard text.count <= 2_000, let url = URL(string: text), let scheme = url.scheme?.lowercased(), url.host != nil else { return false }
        return scheme == "http" || scheme == "https"
    }
}
