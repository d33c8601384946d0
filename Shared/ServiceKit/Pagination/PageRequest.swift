import Hummingbird

/// `?limit=&cursor=` of a list endpoint, validated.
public struct PageRequest: Sendable, Equatable {
    public var limit: Int
    public var cursor: Cursor?

    public static let defaultLimit = 50
    public static let maximumLimit = 200

    public init(limit: Int = PageRequest.defaultLimit, cursor: Cursor? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    public init(queryLimit: String?, queryCursor: String?) throws {
        var limit = Self.defaultLimit
        if let queryLimit {
            guard let parsed = Int(queryLimit), (1...Self.maximumLimit).contains(parsed) else {
                throw Problem.unprocessable(
                    "limit must be an integer from 1 to \(Self.maximumLimit).",
                    errors: [.init(field: "limit", message: "must be 1...\(Self.maximumLimit)")])
            }
            limit = parsed
        }
        self.limit = limit
        self.cursor = try queryCursor.map { try Cursor(decoding: $0) }
    }

    public init(_ request: Request) throws {
        try self.init(query: request.uri.queryParameters)
    }

    /// `limit` and `cursor` of a query already parsed.
    public init(query: Parameters) throws {
        try self.init(queryLimit: query["limit"].map(String.init), queryCursor: query["cursor"].map(String.init))
    }
}

/// One page of a list and where the next one starts.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Builds a page from `limit + 1` fetched rows: the extra row only proves there is a next page.
    /// Takes `fetched` over, so that dropping the extra row copies nothing.
    public static func from(fetched: consuming [Item], limit: Int, key: (Item) -> [String]) -> Page<Item> {
        guard fetched.count > limit, limit > 0 else { return Page(items: fetched, nextCursor: nil) }
        fetched.removeSubrange(limit...)
        let cursor = Cursor(keys: key(fetched[limit - 1])).encoded
        return Page(items: fetched, nextCursor: cursor)
    }
}

extension Page: ResponseEncodable {}
