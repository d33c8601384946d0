/// A customer organization; who belongs to it is decided by its member filters, not by stored links.
public struct Organization: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var website: String?
    public var phone: String?
    public var employees: String?
    public var address1: String?
    public var address2: String?
    public var city: String?
    public var state: String?
    public var postalCode: String?
    public var country: String?
    public var members: [OrganizationMember]
    public var version: Int
}

/// One filter of an organization: users whose email, username, email domain or phone match belong to it.
public struct OrganizationMember: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case email, username, domain, phone
    }

    public var id: String
    public var kind: Kind
    public var value: String
    public var viewOrganizationTickets: Bool
}

extension OrganizationMember {
    public init(kind: Kind, value: String, viewOrganizationTickets: Bool = false) {
        self.init(id: "", kind: kind, value: value, viewOrganizationTickets: viewOrganizationTickets)
    }
}

/// `POST /api/v1/identity/organizations` and `PATCH …/{id}` (absent fields keep their value on PATCH).
public struct OrganizationDetails: Decodable, Sendable {
    public var name: String?
    public var website: String?
    public var phone: String?
    public var employees: String?
    public var address1: String?
    public var address2: String?
    public var city: String?
    public var state: String?
    public var postalCode: String?
    public var country: String?
}

/// `POST /api/v1/identity/organizations/{id}/members`.
public struct NewOrganizationMember: Decodable, Sendable {
    public var kind: OrganizationMember.Kind
    public var value: String
    public var viewOrganizationTickets: Bool?
}
