import Contracts
import Database

/// The Tickets settings document in the tickets schema.
extension TicketStore {
    public var settingsDocuments: SettingsDocuments { SettingsDocuments(database: database, service: .tickets) }

    /// The current Tickets settings (their documented defaults until an administrator changes them).
    public func settings() async throws -> TicketSettings {
        try await settingsDocuments.find(TicketSettingsController.section, defaults: TicketSettings()).settings
    }
}
