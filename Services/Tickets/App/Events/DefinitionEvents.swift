import Contracts
import Database
import PostgresNIO

/// The data of `custom_field.deleted` and `time_log_category.deleted`: the id of what is gone.
public struct DeletedDefinition: Codable, Sendable, Equatable {
    public var id: String
}

extension TicketEvents {
    /// `custom_field.*` and `time_log_category.*` on `tickets.events`: the definitions that tickets' events name only by
    /// id (a field's values, a time log's category), as they are after the change, for the reports and rules that
    /// group by them. Keyed by the definition's id, appended in the change's transaction.
    func publish<Definition: Codable & Sendable>(_ type: String, id: String, definition: Definition, on connection: PostgresConnection) async throws {
        try await outbox.append(
            [CloudEvent(source: ServiceName.tickets.rawValue, type: type, subject: id, brandid: nil, data: definition)],
            topic: ServiceName.tickets.eventsTopic, on: connection)
    }
}
