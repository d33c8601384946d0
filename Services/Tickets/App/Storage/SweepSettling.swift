/// How a sweep that settles (a deleted department's or group's tickets) ends: after its first empty batch it sweeps
/// again every `recheck` until `settle` has passed since that batch, so that a ticket committed late into the
/// department or group (its transaction read them before they were deleted) is still handed over.
enum SweepSettling {
    static let recheck = "1 minute"
    static let settle = "10 minutes"

    /// The condition on a queue row (`q`) that may be swept now: not checked empty within `recheck`.
    static let due = "(q.checked_at IS NULL OR q.checked_at < now() - interval '\(recheck)')"

    /// The statement for an empty batch of the row `$1` names: the row ends once `settle` has passed since its first
    /// empty batch, otherwise it starts over from the first ticket at its next check.
    static func emptyBatch(table: String, scope: String) -> String {
        """
        WITH ended AS (DELETE FROM \(table) WHERE \(scope) = $1 AND finished_at < now() - interval '\(settle)' RETURNING 1)
        UPDATE \(table) SET after_ticket = NULL, finished_at = coalesce(finished_at, now()), checked_at = now()
        WHERE \(scope) = $1 AND NOT EXISTS (SELECT 1 FROM ended)
        """
    }
}
