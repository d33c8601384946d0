import Foundation

/// A Xapian database kept as a projection of PostgreSQL (see ARCHITECTURE.md, "Search").
///
/// One instance owns the directory's write lock; the same handle serves searches, which see
/// every write made through it (committed or not). Calls block the actor for the length of a
/// Xapian call: milliseconds for a search, longer for a large `commit()`.
///
/// Storage reserved by the index: boolean terms "Q<id>"; value slot `0xFFFF0` holds each
/// document's field texts (prefix + text, length-encoded) from which snippets are cut, and
/// `0xFFFF1` the id. Callers' value slots must stay below ``reservedValueSlots``.
public actor SearchIndex {
    /// The first value slot reserved by the index.
    public static let reservedValueSlots: UInt32 = 0xFFFF0

    static let schemaKey = "schema"

    private let database: XapianDatabase
    private let path: String
    private let schemaVersion: Int

    /// True when the directory was missing or empty or was built for another schema version.
    /// The contents are then already discarded: re-index everything and call `markBuilt()`.
    public private(set) var needsRebuild: Bool

    /// Opens or creates the database at `path` (a directory).
    public init(path: String, schemaVersion: Int) throws {
        var database = try XapianDatabase(path: path, overwrite: false)
        let current = try database.metadata(Self.schemaKey) == String(schemaVersion)
        if !current {
            // Documents of another schema (or of a rebuild that never reached markBuilt) would
            // linger after the rebuild, since it only replaces what PostgreSQL still has.
            database.close()
            database = try XapianDatabase(path: path, overwrite: true)
        }
        self.database = database
        self.path = path
        self.schemaVersion = schemaVersion
        self.needsRebuild = !current
    }

    /// Records that the index holds everything for this schema version, and commits.
    public func markBuilt() throws {
        try database.setMetadata(Self.schemaKey, String(schemaVersion))
        try database.commit()
        needsRebuild = false
    }

    /// Adds the document or replaces the one with the same id.
    public func replace(_ document: SearchDocument) throws {
        try database.replace(document)
    }

    /// Removes the document with this id; a missing id is not an error.
    public func delete(id: String) throws {
        try database.delete(id: id)
    }

    /// Makes the changes so far durable (and visible to other readers of the directory).
    public func commit() throws {
        try database.commit()
    }

    public func search(_ query: SearchQuery) throws -> SearchResults {
        try database.search(query)
    }

    /// The number of documents, or 0 when the index is closed or unreadable.
    public func documentCount() -> Int {
        (try? database.documentCount()) ?? 0
    }

    /// Closes the database and deletes its directory; every later call throws.
    public func destroy() throws {
        database.close()
        if FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
        }
    }
}
