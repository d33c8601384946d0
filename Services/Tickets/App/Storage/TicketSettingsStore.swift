import Contracts
import Database

/// The settings documents in the tickets schema: Settings → Tickets, and Delete Raw Content After.
extension TicketStore {
    public var settingsDocuments: SettingsDocuments { SettingsDocuments(database: database, service: .tickets) }

    /// The current Tickets settings (their documented defaults until an administrator changes them).
    public func settings() async throws -> TicketSettings {
        try await settingsDocuments.find(TicketSettingsController.section, defaults: TicketSettings()).settings
    }

    /// The raw-content retention now in force (its documented defaults until an administrator changes them).
    public func rawContentRetention() async throws -> RawContentRetention {
        try await settingsDocuments.find(TicketSettingsController.rawContentSection, defaults: RawContentRetention()).settings
    }
}
