import Foundation
import Logging

/// The demo installation `make run` starts with; running it again changes nothing.
public struct DemoSeed: Sendable {
    public static let brands: [(name: String, hostname: String)] = [("Demo", "demo.localhost"), ("Acme", "acme.localhost")]
    public static let administratorEmail = "admin@demo.localhost"
    public static let administratorPassword = "concierge-admin"

    let api: IdentityAPI

    public init(api: IdentityAPI) {
        self.api = api
    }

    public func run(logger: Logger) async throws {
        for (name, hostname) in Self.brands where try await api.brands.find(hostname: hostname) == nil {
            let brand = try await api.brands.create(try BrandRules.validate(name: name, hostnames: [hostname]))
            logger.info("seeded brand", metadata: ["brand": "\(brand.name)", "hostname": "\(hostname)"])
        }
        if try await api.users.find(email: Self.administratorEmail) == nil {
            let id = try await api.users.upsertAdministrator(
                email: Self.administratorEmail, passwordHash: try await api.hasher.hash(Self.administratorPassword),
                displayName: "System Administrator")
            try await UserDirectory(database: api.users.database).announce(id, as: "user.created")
            logger.info("seeded system administrator", metadata: ["email": "\(Self.administratorEmail)"])
        }
    }
}
