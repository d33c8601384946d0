import Contracts
import Foundation

/// A brand as the API shows it.
public struct Brand: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var hostnames: [String]
    public var version: Int

    public var snapshot: BrandSnapshot {
        BrandSnapshot(id: id.uuidString.lowercased(), name: name, hostnames: hostnames, version: version)
    }

    public var etag: String { "\"\(version)\"" }

    enum CodingKeys: String, CodingKey { case id, name, hostnames, version }

    /// Ids go out lower-case, as in events and URLs.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.uuidString.lowercased(), forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(hostnames, forKey: .hostnames)
        try container.encode(version, forKey: .version)
    }
}

/// `POST /api/v1/identity/brands`.
public struct CreateBrandRequest: Decodable, Sendable {
    public var name: String
    public var hostnames: [String]
}

/// `PATCH /api/v1/identity/brands/{id}`: absent fields stay as they are.
public struct UpdateBrandRequest: Decodable, Sendable {
    public var name: String?
    public var hostnames: [String]?
}
