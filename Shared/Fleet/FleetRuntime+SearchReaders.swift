import Foundation
import Search
import ServiceKit

extension FleetRuntime {
    /// Read-only handles on the index directory `name` under the instance's data directory: as many as
    /// CONCIERGE_SEARCH_READERS (default: the cores), caching CONCIERGE_SEARCH_CACHE_ENTRIES answers per index version.
    public func searchReaders(index name: String) throws -> SearchReaders {
        let environment = configuration.environment
        return SearchReaders(
            path: configuration.dataDirectory + "/" + name,
            count: try environment.int("CONCIERGE_SEARCH_READERS", default: ProcessInfo.processInfo.activeProcessorCount),
            cacheEntries: try environment.int("CONCIERGE_SEARCH_CACHE_ENTRIES", default: SearchReaders.defaultCacheEntries))
    }
}
