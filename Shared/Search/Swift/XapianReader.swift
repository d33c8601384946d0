import CXapian

/// Owns one `cx_reader` handle: a read-only view of an index directory that sees the writer's last commit as of
/// each search. Used by one task at a time (``SearchReaders`` lends it out).
final class XapianReader: @unchecked Sendable {
    private let handle: OpaquePointer

    init(path: String) throws(SearchError) {
        var opened: OpaquePointer?
        try xapianCall { cx_reader_open(path, &opened, $0) }
        guard let opened else { throw .xapian("could not open a reader on \(path)") }
        handle = opened
    }

    deinit {
        cx_reader_free(handle)
    }

    /// The hits and the version of the index that gave them.
    func search(_ query: SearchQuery) throws(SearchError) -> (results: SearchResults, version: String) {
        try runSearch(query) { spec, found, error in cx_reader_search(handle, spec, found, error) }
    }

    /// The version this reader sees after catching up with the writer's last commit: changed by every commit and by
    /// a rebuild of the directory.
    func version() throws(SearchError) -> String {
        var version: UnsafeMutablePointer<CChar>?
        defer { cx_string_free(version) }
        try xapianCall { cx_reader_version(handle, &version, $0) }
        return version.map { String(cString: $0) } ?? ""
    }
}
