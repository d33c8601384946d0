import PostgresNIO
import ServiceKit

/// The WHERE clause of a query whose criteria are optional (an advanced search): only the criteria given become
/// conditions, each with its own parameter.
///
/// Every query runs its generic plan (``DatabaseURL``), planned without the parameters' values. Written as
/// `($3 IS NULL OR brand_id = $3)`, a criterion can't bound an index scan, so a search by one e-mail address read every
/// ticket. Written only when given, as `brand_id = $3`, it can.
public struct QueryConditions: Sendable {
    public private(set) var binds = PostgresBindings()
    private var conditions: [String]

    /// `fixed` are conditions without parameters that always hold, e.g. `deleted_at IS NULL` (a literal condition lets
    /// the planner use partial indexes with the same predicate).
    public init(_ fixed: String...) {
        conditions = fixed
    }

    /// Adds a parameter and answers its placeholder (`$n`), for a condition or a clause after the WHERE.
    public mutating func bind<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Adds a parameter that may be NULL (typed by where the statement uses it) and answers its placeholder.
    public mutating func bind<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Adds a condition that always applies.
    public mutating func require(_ condition: String) {
        conditions.append(condition)
    }

    /// Adds the condition `condition` writes around the placeholder of `value`, unless `value` is nil.
    public mutating func require<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value?, _ condition: (String) -> String) {
        guard let value else { return }
        conditions.append(condition(bind(value)))
    }

    /// Adds the keyset condition that starts a page after `cursor`, whose keys are bound as `shape` says and handed to
    /// `condition` as placeholders; nothing on the first page. Written for every page as `$1 IS NULL OR (name, id) > …`,
    /// it could not bound the list's index scan, and a deep page read every row before it.
    public mutating func after(_ cursor: Cursor?, as shape: [KeysetCursor.Key], _ condition: ([String]) -> String) throws {
        guard let keys = try bind(cursor, as: shape) else { return }
        conditions.append(condition(keys))
    }

    /// Binds the keys of `cursor` as `shape` says and answers their placeholders; nil (and nothing bound) without one.
    public mutating func bind(_ cursor: Cursor?, as shape: [KeysetCursor.Key]) throws -> [String]? {
        guard let cursor else { return nil }
        let first = binds.count + 1
        try KeysetCursor.append(cursor, as: shape, to: &binds)
        return (first...binds.count).map { "$\($0)" }
    }

    /// `a AND b …` (`true` without conditions), for a statement that repeats them or adds its own.
    public var conjunction: String {
        conditions.isEmpty ? "true" : conditions.joined(separator: " AND ")
    }

    /// `WHERE a AND b …`, or nothing without conditions.
    public var whereClause: String {
        conditions.isEmpty ? "" : "WHERE " + conjunction
    }
}
