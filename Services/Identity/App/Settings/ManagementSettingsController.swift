import Auth
import Contracts
import Database
import Foundation
import Hummingbird
import ServiceKit


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
            let updated = try await documents.patch(
                Self.section, defaults: ManagementSettings(), with: Data(patch.readableBytesView), expectedVersion: try IfMatch.version(request),
                validate: ManagementSettingsRules.validate)
            return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
        }
    }
}
