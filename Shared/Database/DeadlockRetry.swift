import PostgresNIO

/// When ``Database/transaction(retryingDeadlocks:_:)`` runs a transaction again: PostgreSQL aborts one of two
/// transactions that wait on each other's locks (SQLSTATE 40P01) and rolls it back whole, so running it again is
/// safe and is what PostgreSQL's manual advises. Lock orders are kept to make this rare (every group's agent rows
/// before any agent's own row, a ticket before its timers); this is the net under them.
public enum DeadlockRetry {
    /// Attempts in all, the first included.
    public static let attempts = 3

    /// Whether `error`, ending attempt `attempt`, is a deadlock to run the transaction again for.
    public static func shouldRetry(_ error: any Error, attempt: Int) -> Bool {
        attempt < attempts && isDeadlock(error)
    }

    public static func isDeadlock(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "40P01"
    }

    /// A short, random wait before the next attempt, so the two sides do not meet again in step.
    public static func pause() -> Duration {
        .milliseconds(Int.random(in: 5...40))
    }
}
