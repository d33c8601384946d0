/// The state of a brand carried by `brand.created` and `brand.updated` on `identity.events`:
/// whole, so a consumer's projection is an upsert and replaying it is harmless.
public struct BrandSnapshot: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var hostnames: [String]
    public var version: Int

    public init(id: String, name: String, hostnames: [String], version: Int) {
        self.id = id
        self.name = name
        self.hostnames = hostnames
        self.version = version
    }
}

public enum BrandEventType {
    public static let created = "brand.created"
    public static let updated = "brand.updated"
}
