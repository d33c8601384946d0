import CXapian

extension XapianDatabase {
    func search(_ query: SearchQuery) throws(SearchError) -> SearchResults {
        let database = try open()
        return try runSearch(query) { spec, found, error in cx_database_search(database, spec, found, error) }.results
    }
}

/// Bytes of text each snippet aims for.
let snippetLength: UInt32 = 200

/// Hands `query` to a shim search function (the writer's or a reader's) as a `cx_query` and copies the hits out,
/// with the version of the database that answered (see `cx_reader_version`).
func runSearch(
    _ query: SearchQuery,
    _ call: (UnsafePointer<cx_query>, UnsafeMutablePointer<OpaquePointer?>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32
) throws(SearchError) -> (results: SearchResults, version: String) {
    var found: OpaquePointer?
    let arena = CStringArena()
    let groupSizes = query.filterGroups.map(\.count)
    let slots = query.valueRanges.map(\.slot)
    try withExtendedLifetime(arena) { () throws(SearchError) in
        try groupSizes.withUnsafeBufferPointer { sizes throws(SearchError) in
            try slots.withUnsafeBufferPointer { rangeSlots throws(SearchError) in
                var spec = cx_query(
                    text: arena.string(query.text), language: arena.string(query.language),
                    filter_terms: arena.array(query.filterGroups.flatMap { $0 }.map(BooleanTerm.bounded)), filter_group_sizes: sizes.baseAddress,
                    filter_group_count: query.filterGroups.count,
                    excluded_terms: arena.array(query.excluded.map(BooleanTerm.bounded)), excluded_count: query.excluded.count,
                    range_slots: rangeSlots.baseAddress, range_lows: arena.array(query.valueRanges.map { $0.lower ?? "" }),
                    range_highs: arena.array(query.valueRanges.map { $0.upper ?? "" }), range_count: query.valueRanges.count,
                    offset: UInt32(clamping: query.offset), limit: UInt32(clamping: query.limit),
                    snippet_prefix: arena.string(query.snippetField), snippet_length: snippetLength,
                    match_every_word: query.matchesEveryWord ? 1 : 0, plain_words: query.plainWords ? 1 : 0)
                try xapianCall { error in call(&spec, &found, error) }
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
    let results = SearchResults(
        hits: hits,
        estimatedTotal: Int(cx_results_estimated_total(found)),
        suggestion: cx_results_suggestion(found).map { String(cString: $0) })
    return (results, String(cString: cx_results_version(found)))
}
