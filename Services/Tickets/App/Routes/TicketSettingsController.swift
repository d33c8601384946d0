import Auth
import Contracts
import Database
import Foundation
import Hummingbird
import ServiceKit


/// Settings → Tickets, Options and Timing: `GET /api/v1/tickets/settings` (employees: the console reads its
/// auto-save, reply and transfer options) and `PATCH` by system administrators, a JSON merge patch with If-Match;
/// each change is `tickets_settings.changed` on `tickets.events`. Settings → Email, Options' Delete Raw Content After,
/// for the raw emails this service keeps, the same way at `/api/v1/tickets/settings/raw-content`
/// (`raw_content_settings.changed`).
public struct TicketSettingsController: Sendable {
    static let section = "tickets"
    static let rawContentSection = "raw_content"
    let documents: SettingsDocuments

    public init(documents: SettingsDocuments) {
        self.documents = documents
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        addDocument("settings", section: Self.section, defaults: TicketSettings(), validate: TicketSettingsRules.validate, to: group)
        addDocument(
            "settings/raw-content", section: Self.rawContentSection, defaults: RawContentRetention(), validate: RawContentRetention.validate,
            to: group)
    }

    /// `GET` (employees) and `PATCH` (system administrators) of one settings document at `path`.
    private func addDocument<Settings: Codable & Sendable & Equatable>(
        _ path: RouterPath, section: String, defaults: Settings, validate: @escaping @Sendable (Settings) throws -> Void,
        to group: RouterGroup<ServiceRequestContext>
    ) {
        group.get(path) { _, context in
            _ = try Authorization.requireEmployee(context.principal, for: "Tickets settings")
            let found = try await documents.find(section, defaults: defaults)
            return EditedResponse(headers: [.eTag: IfMatch.etag(found.version)], response: found)
        }
        group.patch(path) { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let patch = try await request.body.collect(upTo: context.maxUploadSize)
            let updated = try await documents.patch(
                section, defaults: defaults, with: Data(patch.readableBytesView), expectedVersion: try IfMatch.version(request),
                validate: validate)
            return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
        }
    }
}
