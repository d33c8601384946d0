/// Anything that answers a ``SearchQuery``: the writer itself (sees its own uncommitted changes) or a pool of
/// ``SearchReaders`` (parallel, sees what was committed).
public protocol TextSearching: Sendable {
    func search(_ query: SearchQuery) async throws -> SearchResults
}

extension SearchIndex: TextSearching {}
