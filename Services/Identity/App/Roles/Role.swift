import Auth
import Foundation

/// A stored role as the API shows it.
public struct Role: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var type: RoleType
    public var isPredefined: Bool
    public var grants: [Feature: FeatureGrant]
    public var version: Int

    public var definition: RoleDefinition {
        RoleDefinition(name: name, type: type, isPredefined: isPredefined, grants: grants)
    }
}

/// `POST /api/v1/identity/roles`.
public struct CreateRoleRequest: Decodable, Sendable {
    public var name: String
    public var type: RoleType
    public var grants: [Feature: FeatureGrant]
}

/// `PATCH /api/v1/identity/roles/{id}`: absent fields keep their value; grants replace per feature.
public struct UpdateRoleRequest: Decodable, Sendable {
    public var name: String?
    public var grants: [Feature: FeatureGrant]?
}

/// `PUT /api/v1/identity/users/{id}/roles`.
public struct AssignRolesRequest: Decodable, Sendable {
    public var roles: [String]
}

/// The data of `user.roles_changed`.
public struct UserRoles: Codable, Sendable, Equatable {
    public var userID: String
    public var roles: [String]
}
