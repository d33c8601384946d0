import ServiceKit

/// The rule every versioned settings document follows when it changes: a caller working from an older version
/// gets 412 (two administrators cannot overwrite each other silently); a change that alters nothing is no revision.
public enum SettingsRevision {
    /// The document after `change`, or nil when it is the same as `current`.
    public static func next<Settings: Equatable>(
        _ current: Settings, version: Int, expectedVersion: Int?, change: (Settings) throws -> Settings
    ) throws -> Settings? {
        if let expectedVersion, expectedVersion != version {
            throw Problem.preconditionFailed("The settings changed since version \(expectedVersion); they are at version \(version).")
        }
        let next = try change(current)
        return next == current ? nil : next
    }
}
