import Hummingbird

/// A short, complete list (roles, a department's groups), answered as `{"items": [...]}` like a page without
/// a next cursor, so clients read every list the same way.
public struct Items<Item: Codable & Sendable>: Codable, Sendable, ResponseEncodable {
    public var items: [Item]

    public init(items: [Item]) {
        self.items = items
    }
}
