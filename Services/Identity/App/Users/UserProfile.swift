import Foundation

/// A user-defined signature (an agent may keep several; ticket-reply signatures of the company are separate).
public struct Signature: Codable, Sendable, Equatable {
    public var name: String
    public var html: String

    public init(name: String, html: String) {
        self.name = name
        self.html = html
    }
}

/// Home, cell, work and other phone, website, company and home address (Contact Info tab).
public struct ContactInfo: Codable, Sendable, Equatable {
    public var homePhone: String?
    public var cellPhone: String?
    public var workPhone: String?
    public var otherPhone: String?
    public var website: String?
    public var company: String?
    public var homeAddress: String?

    public init() {}

    /// The user's numbers as organizations' phone members hold them (``OrganizationRules/normalizePhone(_:)``), each
    /// once, in the tab's order.
    public var phoneNumbers: [String] {
        var numbers: [String] = []
        for raw in [homePhone, cellPhone, workPhone, otherPhone].compactMap({ $0 }) {
            if let number = OrganizationRules.normalizePhone(raw), !numbers.contains(number) { numbers.append(number) }
        }
        return numbers
    }
}

/// The profile of an employee or portal user beyond email and display name: the Details, Contact Info, Portal
/// Settings, Tickets and Live Chat tabs of the manual. Absent keys take the documented defaults.
public struct UserProfile: Codable, Sendable, Equatable {
    /// "Display Name for Chat": the alias customers see in live chat.
    public var chatDisplayName: String?
    /// Alternate identities an agent may answer under.
    public var aliases: [String]
    public var avatarURL: String?
    public var signatures: [Signature]
    public var portalSignature: String?
    /// Max Active Live Chats, default 1.
    public var maxActiveLiveChats: Int
    /// The overall Max Tickets across all groups; it overrides a larger group value.
    public var maxTickets: Int?
    public var timeZone: String?
    public var preferredLanguage: String?
    /// Hourly Cost for Reporting, default 10.00.
    public var hourlyCost: Double
    public var contact: ContactInfo

    public static let defaultMaxActiveLiveChats = 1
    public static let defaultHourlyCost = 10.0

    public init() {
        aliases = []
        signatures = []
        maxActiveLiveChats = Self.defaultMaxActiveLiveChats
        hourlyCost = Self.defaultHourlyCost
        contact = ContactInfo()
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        chatDisplayName = try container.decodeIfPresent(String.self, forKey: .chatDisplayName)
        aliases = try container.decodeIfPresent([String].self, forKey: .aliases) ?? []
        avatarURL = try container.decodeIfPresent(String.self, forKey: .avatarURL)
        signatures = try container.decodeIfPresent([Signature].self, forKey: .signatures) ?? []
        portalSignature = try container.decodeIfPresent(String.self, forKey: .portalSignature)
        maxActiveLiveChats = try container.decodeIfPresent(Int.self, forKey: .maxActiveLiveChats) ?? Self.defaultMaxActiveLiveChats
        maxTickets = try container.decodeIfPresent(Int.self, forKey: .maxTickets)
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
        preferredLanguage = try container.decodeIfPresent(String.self, forKey: .preferredLanguage)
        hourlyCost = try container.decodeIfPresent(Double.self, forKey: .hourlyCost) ?? Self.defaultHourlyCost
        contact = try container.decodeIfPresent(ContactInfo.self, forKey: .contact) ?? ContactInfo()
    }
}

/// What `GET /api/v1/identity/users/{id}` shows.
public struct UserDetails: Codable, Sendable, Equatable {
    public var id: String
    public var email: String
    public var displayName: String
    public var emailVerified: Bool
    public var forcePasswordChange: Bool
    public var isSystemAdministrator: Bool
    public var roles: [String]
    public var profile: UserProfile
    /// People custom field values by field id.
    public var customFields: [String: String]
    public var version: Int

    public init(
        id: String, email: String, displayName: String, emailVerified: Bool, forcePasswordChange: Bool, isSystemAdministrator: Bool,
        roles: [String], profile: UserProfile, customFields: [String: String], version: Int
    ) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.emailVerified = emailVerified
        self.forcePasswordChange = forcePasswordChange
        self.isSystemAdministrator = isSystemAdministrator
        self.roles = roles
        self.profile = profile
        self.customFields = customFields
        self.version = version
    }

    public var etag: String { "\"\(version)\"" }
}

/// `PATCH /api/v1/identity/users/{id}`: absent fields keep their value; `profile` replaces the profile whole.
public struct UserUpdate: Decodable, Sendable {
    public var email: String?
    public var displayName: String?
    public var profile: UserProfile?
    public var customFields: [String: String?]?
    public var forcePasswordChange: Bool?

    public init(
        email: String? = nil, displayName: String? = nil, profile: UserProfile? = nil, customFields: [String: String?]? = nil,
        forcePasswordChange: Bool? = nil
    ) {
        self.email = email
        self.displayName = displayName
        self.profile = profile
        self.customFields = customFields
        self.forcePasswordChange = forcePasswordChange
    }
}

/// The data of `user.updated`: what other services keep of a user.
public struct UserChanged: Codable, Sendable, Equatable {
    public var userID: String
    public var email: String
    /// Whether the user confirmed `email`: tickets shows such a user every ticket submitted under it.
    public var emailVerified: Bool
    public var displayName: String
    public var chatDisplayName: String?
    public var maxActiveLiveChats: Int
    public var maxTickets: Int?
    public var timeZone: String?
    public var preferredLanguage: String?
    /// The Contact Info tab's numbers, normalized: tickets finds a phone member's tickets through them.
    public var phones: [String]
    /// Hourly Cost, what the cost reports price an employee's time at.
    public var hourlyCost: Double

    public init(_ user: UserDetails) {
        userID = user.id
        email = user.email
        emailVerified = user.emailVerified
        displayName = user.displayName
        chatDisplayName = user.profile.chatDisplayName
        maxActiveLiveChats = user.profile.maxActiveLiveChats
        maxTickets = user.profile.maxTickets
        timeZone = user.profile.timeZone
        preferredLanguage = user.profile.preferredLanguage
        phones = user.profile.contact.phoneNumbers
        hourlyCost = user.profile.hourlyCost
    }
}
