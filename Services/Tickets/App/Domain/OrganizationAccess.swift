/// Who gets a portal's Organization tab ("View Organization Tickets in Portal"), as a plain function: a member filter
/// with the permission grants it to the user it names. A member by username names the account whatever its
/// verification; members by email address or by domain only users with the Registered User with Verified Email role
/// whose confirmed address matches; members by phone number never.
public enum OrganizationAccess {
    /// The member filters (kind, value) that would give this user the tab: `email` is the account's address (its
    /// username here), `verifiedEmail` the address when they confirmed it; both lower case.
    public static func grantingMembers(email: String, verifiedEmail: String?) -> [(kind: String, value: String)] {
        var members = [(kind: "username", value: email.lowercased())]
        if let verified = verifiedEmail?.lowercased() {
            members.append((kind: "email", value: verified))
            if let domain = domain(of: verified) { members.append((kind: "domain", value: domain)) }
        }
        return members
    }

    /// An address's domain, lower case; nil without one.
    public static func domain(of email: String) -> String? {
        guard let at = email.lastIndex(of: "@") else { return nil }
        let domain = email[email.index(after: at)...].lowercased()
        return domain.isEmpty ? nil : domain
    }
}
