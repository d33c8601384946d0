import CXapian

extension XapianDatabase {
    /// Bytes of text each snippet aims for.
    static let snippetLength: UInt32 = 200

    func search(_ query: SearchQuery) throws(SearchError) -> SearchResults {
        let database = try open()
        var found: OpaquePointer?
        let groupSizes = query.filterGroups.map(\.count)
        try xapianCall { error in
            query.text.withCString { text in
                withOptionalCString(query.language) { language in
                    withOptionalCString(query.snippetField) { snippetField in
                        withCStringArray(query.filterGroups.flatMap { $0 }) { filterTerms in
                            withCStringArray(query.excluded) { excludedTerms in
                                groupSizes.withUnsafeBufferPointer { sizes in
                                    var spec = cx_query(
                                        text: text, language: language,
                                        filter_terms: filterTerms, filter_group_sizes: sizes.baseAddress,
                                        filter_group_count: query.filterGroups.count,
                                        excluded_terms: excludedTerms, excluded_count: query.excluded.count,
                                        offset: UInt32(clamping: query.offset), limit: UInt32(clamping: query.limit),
                                        snippet_prefix: snippetField, snippet_length: Self.snippetLength)
                                    return cx_database_search(database, &spec, &found, error)
                                }
                            }
                        }
                    }
                }
            }
        }
        defer { cx_results_free(found) }
        let hits = (0..<cx_results_count(found)).map { index in
            let hit = cx_results_hit(found, index)
            return SearchHit(
                id: stringFromBytes(hit.id, count: hit.id_length),
                percent: Int(hit.percent),
                weight: hit.weight,
                data: stringFromBytes(hit.data, count: hit.data_length),
                snippet: stringFromBytes(hit.snippet, count: hit.snippet_length))
        }
        return SearchResults(
            hits: hits,
            estimatedTotal: Int(cx_results_estimated_total(found)),
            suggestion: cx_results_suggestion(found).map { String(cString: $0) })
    }
}
