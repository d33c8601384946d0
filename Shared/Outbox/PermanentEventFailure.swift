import PostgresNIO

/// Failures of an event's handler that no retry can cure: its data does not read as the handler's type, or
/// PostgreSQL refuses a value of it (a data exception, a CHECK constraint). Retried, such an event would hold up every
/// later event of its partition for good. A missing row another event brings (a foreign key) is not among them: that
/// event may still arrive, so the handler is retried.
public enum PermanentEventFailure {
    public static func matches(_ error: any Error) -> Bool {
        if error is DecodingError { return true }
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("22") || state == "23514"
    }
}
