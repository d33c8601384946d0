import Auth
import Contracts
import Foundation
import Hummingbird
import Logging
import ServiceKit

extension Brand: ResponseEncodable {}

/// The brand routes under `/api/v1/identity`.
public struct BrandController: Sendable {
    let brands: BrandRepository

    public init(brands: BrandRepository) {
        self.brands = brands
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("brand", use: currentBrand)
        group.get("brands", use: list)
        group.post("brands", use: create)
        group.get("brands/{id}", use: show)
        group.patch("brands/{id}", use: update)
    }

    /// Public: the brand of the host the request was made to (the gateway says which; a direct call uses Host).
    @Sendable func currentBrand(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Brand> {
        let brand: Brand?
        if let brandID = context.brandID.flatMap(UUID.init(parsing:)) {
            brand = try await brands.find(brandID)
        } else if let host = request.head.authority.flatMap(BrandRules.hostname(fromHostHeader:)) {
            brand = try await brands.find(hostname: host)
        } else {
            brand = nil
        }
        guard let brand else { throw Problem.notFound("No brand serves this host.") }
        return EditedResponse(headers: [.eTag: brand.etag], response: brand)
    }

    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<Brand> {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        return try await brands.list(try PageRequest(request))
    }

    @Sendable func show(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Brand> {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        guard let brand = try await brands.find(try Self.brandID(context)) else { throw Problem.notFound("No such brand.") }
        return EditedResponse(headers: [.eTag: brand.etag], response: brand)
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Brand> {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        let body = try await request.decodeJSON(CreateBrandRequest.self, context: context)
        let brand = try await brands.create(try BrandRules.validate(name: body.name, hostnames: body.hostnames))
        context.logger.info("brand created", metadata: ["brand": "\(brand.id)"])
        return EditedResponse(
            status: .created,
            headers: [.eTag: brand.etag, .location: "/api/v1/identity/brands/\(brand.id.uuidString.lowercased())"],
            response: brand)
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Brand> {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        let id = try Self.brandID(context)
        let expected = try IfMatch.version(request)
        let body = try await request.decodeJSON(UpdateBrandRequest.self, context: context)
        let brand = try await brands.update(id, name: body.name, hostnames: body.hostnames, expectedVersion: expected) {
            try BrandRules.validate(name: $0, hostnames: $1)
        }
        return EditedResponse(headers: [.eTag: brand.etag], response: brand)
    }

    static func brandID(_ context: ServiceRequestContext) throws -> UUID {
        try context.uuidParameter("id", notFound: "No such brand.")
    }
}
