import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension VersionedBrandSettings: ResponseEncodable {}

/// Brand settings: `GET /brand/settings` (public: what the portal of this host needs), and for a system
/// administrator `GET`/`PATCH /brands/{id}/settings`, the PATCH a JSON merge patch guarded by If-Match.
public struct BrandSettingsController: Sendable {
    let settings: BrandSettingsRepository
    let roles: RoleRepository

    public init(settings: BrandSettingsRepository, roles: RoleRepository) {
        self.settings = settings
        self.roles = roles
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("brand/settings") { _, context in
            guard let id = context.brandID.flatMap(UUID.init(parsing:)), let found = try await settings.find(id) else {
                throw Problem.notFound("No brand serves this host.")
            }
            return EditedResponse(headers: [.eTag: IfMatch.etag(found.version)], response: found)
        }
        group.get("brands/{id}/settings") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard let found = try await settings.find(try BrandController.brandID(context)) else { throw Problem.notFound("No such brand.") }
            return EditedResponse(headers: [.eTag: IfMatch.etag(found.version)], response: found)
        }
        group.patch("brands/{id}/settings") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let patch = try await request.body.collect(upTo: context.maxUploadSize)
            let roleNames = Set(try await roles.all().map(\.name))
            let updated = try await settings.update(try BrandController.brandID(context), expectedVersion: try IfMatch.version(request)) { current in
                let next = BrandSettingsRules.madeSafe(try MergePatch.apply(Data(patch.readableBytesView), to: current))
                try BrandSettingsRules.validate(next, roleNames: roleNames)
                return next
            }
            return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
        }
    }
}
