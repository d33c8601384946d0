import CXapian

/// Owns one `cx_database` handle (a Xapian::WritableDatabase holding the directory's write
/// lock). Only ``SearchIndex`` touches it, from inside the actor, so it needs no Sendable.
final class XapianDatabase {
    private var handle: OpaquePointer?
    let path: String
    /// This directory's ``IndexCommits`` key: each commit is counted there for the process's readers.
    private let commits: String

    init(path: String, overwrite: Bool, lockWait: Duration) throws(SearchError) {
        self.path = path
        commits = IndexCommits.key(path)
        var opened: OpaquePointer?
        let lockWaitMs = Int32(min(max(lockWait / .milliseconds(1), 0), Double(Int32.max)))
        try xapianCall { cx_database_open(path, overwrite ? 1 : 0, lockWaitMs, &opened, $0) }
        handle = opened
        IndexCommits.shared.record(commits)
    }

    deinit {
        cx_database_free(handle)
        IndexCommits.shared.record(commits)
    }

    /// Commits pending changes and releases the lock; later calls throw.
    func close() {
        cx_database_free(handle)
        handle = nil
        IndexCommits.shared.record(commits)
    }

    func open() throws(SearchError) -> OpaquePointer {
        guard let handle else { throw .xapian("the index at \(path) is closed") }
        return handle
    }

    func metadata(_ key: String) throws(SearchError) -> String {
        let database = try open()
        var value: UnsafeMutablePointer<CChar>?
        try xapianCall { cx_database_get_metadata(database, key, &value, $0) }
        defer { cx_string_free(value) }
        return value.map { String(cString: $0) } ?? ""
    }

    func setMetadata(_ key: String, _ value: String) throws(SearchError) {
        let database = try open()
        try xapianCall { cx_database_set_metadata(database, key, value, $0) }
    }

    func commit() throws(SearchError) {
        let database = try open()
        try xapianCall { cx_database_commit(database, $0) }
        IndexCommits.shared.record(commits)
    }

    func documentCount() throws(SearchError) -> Int {
        let database = try open()
        var count: UInt32 = 0
        try xapianCall { cx_database_document_count(database, &count, $0) }
        return Int(count)
    }
}
