import Auth
import Contracts
import Database
import Foundation
import Hummingbird
import ServiceKit


/// Settings → Management Interface: `GET`/`PATCH /api/v1/identity/settings/management` for system
/// administrators, the PATCH a JSON merge patch guarded by If-Match. The change announced on `identity.events` carries
/// Google reCAPTCHA's secret key sealed (``ManagementSettingsRules/announced(_:sealedWith:)``).
public struct ManagementSettingsController: Sendable {
    static let section = "management"
    let documents: SettingsDocuments
    let seal: SecretSeal

    public init(documents: SettingsDocuments, seal: SecretSeal) {
        self.documents = documents
        self.seal = seal
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("settings/management") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let found = try await documents.find(Self.section, defaults: ManagementSettings())
            return EditedResponse(headers: [.eTag: IfMatch.etag(found.version)], response: found)
        }
        group.patch("settings/management") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let patch = try await request.body.collect(upTo: context.maxUploadSize)
            let updated = try await documents.patch(
                Self.section, defaults: ManagementSettings(), with: Data(patch.readableBytesView), expectedVersion: try IfMatch.version(request),
                validate: ManagementSettingsRules.validate, announced: { try ManagementSettingsRules.announced($0, sealedWith: seal) })
            return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
        }
    }
}
