import Contracts
import Database
import Search
import ServiceKit

/// Defaults of ``IndexFeed`` shared by every index.
public enum IndexFeedDefaults {
    /// Five writes a second at most: a change is searchable within a quarter of a second under load.
    public static let spacingMilliseconds = 200
    public static let spacing: Duration = .milliseconds(spacingMilliseconds)
}

extension FleetRuntime {
    /// The feed that keeps `projection`'s index current from `service`'s events in this instance (and from this
    /// instance's own commits at once), its writes spaced by CONCIERGE_SEARCH_COMMIT_SPACING_MS (default 200).
    public func indexFeed<Projection: SearchProjection>(
        _ projection: Projection, events service: ServiceName, name: String
    ) throws -> IndexFeed<Projection> {
        let spacing = try configuration.environment.int("CONCIERGE_SEARCH_COMMIT_SPACING_MS", default: IndexFeedDefaults.spacingMilliseconds)
        return IndexFeed(
            projection: projection, kafka: kafka, topic: service.eventsTopic, name: name, instance: configuration.instance,
            gate: gate, committedEvents: database.committedEvents, spacing: .milliseconds(spacing), logger: logger)
    }
}
