import Auth
import Contracts
import Database
import Foundation
import Hummingbird
import ServiceKit


/// Settings → Tickets, Options and Timing: `GET /api/v1/tickets/settings` (employees: the console reads its
/// auto-save, reply and transfer options) and `PATCH` by system administrators, a JSON merge patch with If-Match;
/// each change is `tickets_settings.changed` on `tickets.events`.
public struct TicketSettingsController: Sendable {
    static let section = "tickets"
    let documents: SettingsDocuments

    public init(documents: SettingsDocuments) {
        self.documents = documents
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("settings") { _, context in
            _ = try Authorization.requireEmployee(context.principal, for: "Tickets settings")
            let found = try await documents.find(Self.section, defaults: TicketSettings())
            return EditedResponse(headers: [.eTag: IfMatch.etag(found.version)], response: found)
        }
        group.patch("settings") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let patch = try await request.body.collect(upTo: context.maxUploadSize)
            let updated = try await documents.patch(
                Self.section, defaults: TicketSettings(), with: Data(patch.readableBytesView), expectedVersion: try IfMatch.version(request),
                validate: TicketSettingsRules.validate)
            return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
        }
    }
}
