import Contracts
import Hummingbird
import ServiceKit

/// `GET /internal/brands`: every brand's hostnames for the gateway's start-up snapshot. Outside `/api/v1`, so the
/// gateway never forwards it from the internet.
public struct InternalBrandController: Sendable {
    let brands: BrandRepository

    public init(brands: BrandRepository) {
        self.brands = brands
    }

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        router.get("/internal/brands") { _, _ in
            BrandDirectorySnapshot(brands: try await brands.all().map(\.snapshot))
        }
    }
}

public struct BrandDirectorySnapshot: Codable, Sendable, ResponseEncodable {
    public var brands: [BrandSnapshot]
}
