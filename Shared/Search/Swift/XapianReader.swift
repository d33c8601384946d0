import CXapian

/// Owns one `cx_reader` handle: a read-only view of an index directory that sees the writer's last commit as of
/// each search. Used by one task at a time (``SearchReaders`` lends it out).
final class XapianReader: @unchecked Sendable {
    /// How long a version looked up stays this reader's answer while this process has not committed to the directory
    /// (``IndexCommits``): catching up with the writer reads the directory's version file, 5 % of the tickets process
    /// answering cached searches when every search did it. A commit of this process is seen at once; one of another
    /// process (a rebuild by the command line) at most this late.
    static let versionRecheck = Duration.milliseconds(250)

    private let handle: OpaquePointer
    private let commits: String
    private var checked: (version: String, at: ContinuousClock.Instant, commits: UInt64)?

    init(path: String) throws(SearchError) {
        var opened: OpaquePointer?
        try xapianCall { cx_reader_open(path, &opened, $0) }
        guard let opened else { throw .xapian("could not open a reader on \(path)") }
        handle = opened
        commits = IndexCommits.key(path)
    }

    deinit {
        cx_reader_free(handle)
    }

    /// The hits and the version of the index that gave them.
    func search(_ query: SearchQuery) throws(SearchError) -> (results: SearchResults, version: String) {
        let now = ContinuousClock.now, committed = IndexCommits.shared.count(for: commits)
        let found = try runSearch(query) { spec, found, error in cx_reader_search(handle, spec, found, error) }
        checked = (found.version, now, committed)
        return found
    }

    /// The version this reader sees after catching up with the writer's last commit (changed by every commit and
    /// by a rebuild of the directory), looked up again after this process committed to it or ``versionRecheck`` passed.
    func version(now: ContinuousClock.Instant = .now) throws(SearchError) -> String {
        let committed = IndexCommits.shared.count(for: commits)
        if let checked, checked.commits == committed, now - checked.at < Self.versionRecheck { return checked.version }
        var version: UnsafeMutablePointer<CChar>?
        defer { cx_string_free(version) }
        try xapianCall { cx_reader_version(handle, &version, $0) }
        let current = version.map { String(cString: $0) } ?? ""
        checked = (current, now, committed)
        return current
    }
}
