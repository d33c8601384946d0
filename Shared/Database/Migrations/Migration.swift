/// One step of a schema's history. Versions are applied in ascending order and recorded, never edited after release.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: [String]

    public init(version: Int, name: String, sql: [String]) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
