import Synchronization

/// Values read from PostgreSQL, each kept under tags that name what it was read from (`"group:<id>"`), until a
/// ``ChangeListener`` delivers a notification naming one of them. A notification's payload is its tags joined by
/// commas; `"*"` (or nothing) changes everything. A value tagged `"brand:*"` is changed by every `"brand:…"` tag.
///
/// Like ``NotifiedCache`` it keeps values only while its listener is connected, and never keeps one whose read
/// overlapped a notification naming its tags, so a value it answers is as fresh as the last notification this process
/// received; other notifications leave it in place.
public final class TaggedNotifiedCache<Key: Hashable & Sendable, Value: Sendable>: ChangeNotified {
    fileprivate struct Entry {
        var value: Value
        var tags: [String]
    }

    /// A notification as the reads that overlapped it check it: its sequence number and tags (nil: everything).
    fileprivate struct Notified {
        var sequence: Int
        var tags: Set<String>?
    }

    fileprivate struct State {
        var entries: [Key: Entry] = [:]
        var keysByTag: [String: Set<Key>] = [:]
        /// Moves on every notification and every change of `listening`.
        var sequence = 0
        /// The last notifications, oldest first: a read that began before the oldest of them is not kept.
        var recent: [Notified] = []
        var listening = false
    }

    private let state = Mutex(State())
    private let capacity: Int
    /// How many notifications a read may overlap and still be kept when none of them names its tags.
    public static var remembered: Int { 64 }

    /// At most `capacity` values are kept (0: none); past that the cache starts over.
    public init(capacity: Int = 1_000) {
        self.capacity = capacity
    }

    /// The cached value for `key`, or what `load` reads, kept under `tags` when no notification naming them arrived
    /// meanwhile. With `fresh`, the kept value is not answered: `load` reads it again and replaces it.
    public func value(for key: Key, tags: [String], fresh: Bool = false, load: () async throws -> Value) async throws -> Value {
        let (cached, sequence) = state.withLock { ($0.entries[key]?.value, $0.sequence) }
        if let cached, !fresh { return cached }
        let value = try await load()
        state.withLock { state in
            guard state.listening, capacity > 0, !state.changed(since: sequence, naming: tags) else { return }
            state.remove(key)
            if state.entries.count >= capacity { state.removeAll() }
            state.entries[key] = Entry(value: value, tags: tags)
            for tag in tags { state.keysByTag[tag, default: []].insert(key) }
        }
        return value
    }

    public func changed() { changed(payload: "*") }

    public func changed(payload: String) {
        let tags = Self.tags(of: payload)
        state.withLock { state in
            state.note(tags)
            guard let tags else { return state.removeAll() }
            for tag in tags {
                for key in state.keysByTag[tag] ?? [] { state.remove(key) }
                guard let scope = tag.split(separator: ":", maxSplits: 1).first, "\(scope):*" != tag else { continue }
                for key in state.keysByTag["\(scope):*"] ?? [] { state.remove(key) }
            }
        }
    }

    public func listening(_ listening: Bool) {
        state.withLock { state in
            state.note(nil)
            state.removeAll()
            state.listening = listening
        }
    }

    /// The tags a payload names; nil for everything.
    static func tags(of payload: String) -> Set<String>? {
        let tags = Set(payload.split(separator: ",").map { String($0) })
        return tags.isEmpty || tags.contains("*") ? nil : tags
    }

    /// How many values are kept (for tests).
    public var count: Int { state.withLock { $0.entries.count } }
}

extension TaggedNotifiedCache.State {
    mutating func note(_ tags: Set<String>?) {
        sequence &+= 1
        recent.append(TaggedNotifiedCache.Notified(sequence: sequence, tags: tags))
        if recent.count > TaggedNotifiedCache.remembered { recent.removeFirst(recent.count - TaggedNotifiedCache.remembered) }
    }

    /// Whether a notification after `start` names any of `tags` (or everything), or is no longer remembered.
    func changed(since start: Int, naming tags: [String]) -> Bool {
        guard sequence != start else { return false }
        guard let oldest = recent.first, oldest.sequence <= start + 1 else { return true }
        return recent.contains { notified in
            guard notified.sequence > start else { return false }
            guard let named = notified.tags else { return true }
            return tags.contains { tag in
                if named.contains(tag) { return true }
                guard tag.hasSuffix(":*") else { return false }
                return named.contains { $0.hasPrefix(tag.dropLast()) }
            }
        }
    }

    mutating func remove(_ key: Key) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        for tag in entry.tags {
            keysByTag[tag]?.remove(key)
            if keysByTag[tag]?.isEmpty == true { keysByTag[tag] = nil }
        }
    }

    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        keysByTag.removeAll(keepingCapacity: true)
    }
}
