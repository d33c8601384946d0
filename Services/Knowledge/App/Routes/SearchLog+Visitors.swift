import Contracts
import Foundation
import ServiceKit

extension SearchLog {
    /// Notes a portal visitor's search of `text` (the API's or the search page's) for the search reports; answers
    /// the id that reading one of its results carries (`?search=`).
    func note(_ text: String, reader: ArticleReader, language: String, results: ArticleSearchResults, context: ServiceRequestContext) -> String {
        let id = UUIDv7.generate().lowercased
        record(SearchRecord(
            searchID: id, brandID: reader.brandID, language: language, query: String(text.prefix(500)), visitorKey: Visit.visitorKey(context),
            resultCount: results.estimatedTotal, searchedAt: Date()))
        return id
    }
}
