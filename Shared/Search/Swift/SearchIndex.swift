import Foundation
import NIOCore
import NIOPosix

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
    /// The thread every writer's calls run on. Xapian blocks (a commit of a large index writes and syncs for
    /// tens of milliseconds); on Swift's cooperative pool that would hold one of the few threads that answer
    /// requests. One thread for the process: writes are serialized per index anyway, and indexes are few.
    private static let writerThread = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    private let loop: any EventLoop = SearchIndex.writerThread.next()

    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }

    /// The first value slot reserved by the index.
    public static let reservedValueSlots: UInt32 = 0xFFFF0

    static let schemaKey = "schema"
    static let stateKey = "state"
    static let dirty = "dirty"

    private let database: XapianDatabase
    /// The index's directory.
    public nonisolated let path: String
    private let schemaVersion: Int

    /// Whether changes were made since the last `commitClean()`.
    private var isDirty = false

    /// True when the directory was missing or empty, was built for another schema version, or was not closed
    /// cleanly (see `commitClean()`).
    /// The contents are then already discarded: re-index everything and call `markBuilt()`.
    public private(set) var needsRebuild: Bool

    /// Opens or creates the database at `path` (a directory). A write lock held elsewhere is retried for
    /// `lockWait` (a child process forked while the lock was ours holds a copy of it until it execs) before
    /// the open fails.
    public init(path: String, schemaVersion: Int, lockWait: Duration = .milliseconds(500)) throws {
        var database = try XapianDatabase(path: path, overwrite: false, lockWait: lockWait)
        // "dirty" is written before the first change after a clean point: an index that was not closed cleanly
        // may lack changes whose events were already consumed, so it is rebuilt.
        let current = try database.metadata(Self.schemaKey) == String(schemaVersion) && database.metadata(Self.stateKey) != Self.dirty
        if !current {
            // Documents of another schema (or of a rebuild that never reached markBuilt) would
            // linger after the rebuild, since it only replaces what PostgreSQL still has.
            database.close()
            database = try XapianDatabase(path: path, overwrite: true, lockWait: lockWait)
        }
        self.database = database
        self.path = path
        self.schemaVersion = schemaVersion
        self.needsRebuild = !current
    }

    /// Records that the index holds everything for this schema version, and commits.
    public func markBuilt() throws {
        try database.setMetadata(Self.schemaKey, String(schemaVersion))
        try commitClean()
        needsRebuild = false
    }

    /// Adds the document or replaces the one with the same id.
    public func replace(_ document: SearchDocument) throws {
        try markDirty()
        try database.replace(document)
    }

    /// Removes the document with this id; a missing id is not an error.
    public func delete(id: String) throws {
        try markDirty()
        try database.delete(id: id)
    }

    /// Commits and records a clean point: reopening after this does not ask for a rebuild. Call it when changes
    /// pause and at shutdown; plain `commit()`s in between keep the index marked dirty, so a crash between them
    /// (which can lose changes whose events were already consumed) leads to a rebuild.
    public func commitClean() throws {
        try database.setMetadata(Self.stateKey, "clean")
        try database.commit()
        isDirty = false
    }

    /// `commitClean()` when anything changed since the last clean point.
    public func flush() throws {
        guard isDirty else { return }
        try commitClean()
    }

    /// Records, durably, that changes are coming: an index that stops before the next clean point is then rebuilt
    /// when reopened. `replace` and `delete` do this themselves; call it before acknowledging work that will only
    /// reach the index later.
    public func markDirty() throws {
        guard !isDirty else { return }
        try database.setMetadata(Self.stateKey, Self.dirty)
        try database.commit()
        isDirty = true
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

    /// Closes the database and leaves its files, so the directory can be opened again; every later call throws.
    public func close() {
        database.close()
    }

    /// Closes the database and deletes its directory; every later call throws.
    public func destroy() throws {
        database.close()
        if FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
        }
    }
}
