/// Follows a keyset list from its first page: `page` reads the page after a cursor (nil: the first) and answers its
/// ids and the next cursor. Answers every id in order, stopping after `cap` ids should the list never end.
public func walkPages(cap: Int = 100, _ page: (String?) async throws -> (ids: [String], next: String?)) async throws -> [String] {
    var seen: [String] = []
    var cursor: String?
    repeat {
        let read = try await page(cursor)
        seen += read.ids
        cursor = read.next
    } while cursor != nil && seen.count < cap
    return seen
}
