import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension VersionedSettings: ResponseEncodable {}

/// Settings → Management Interface: `GET`/`PATCH /api/v1/identity/settings/management` for system
/// administrators, the PATCH a JSON merge patch guarded by If-Match.
public struct ManagementSettingsController: Sendable {
    static let section = "management"
    let documents: SettingsDocuments

    public init(documents: SettingsDocuments) {
        self.documents = documents
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
            let updated = try await documents.update(Self.section, defaults: ManagementSettings(), expectedVersion: try IfMatch.version(request)) { current in
                let next = try MergePatch.apply(Data(patch.readableBytesView), to: current)
                try ManagementSettingsRules.validate(next)
                return next
            }
            return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
        }
    }
}
