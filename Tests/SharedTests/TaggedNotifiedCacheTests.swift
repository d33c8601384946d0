import Database
import Testing

@Suite("Tagged notified cache")
struct TaggedNotifiedCacheTests {
    /// A cache that is listening, with `"g1"` kept under `group:1` and `"all"` under every brand.
    static func filled() async throws -> TaggedNotifiedCache<String, Int> {
        let cache = TaggedNotifiedCache<String, Int>()
        cache.listening(true)
        _ = try await cache.value(for: "g1", tags: ["group:1"]) { 1 }
        _ = try await cache.value(for: "all", tags: ["brand:*"]) { 2 }
        return cache
    }

    @Test("Nothing is kept while no listener is connected")
    func notListening() async throws {
        let cache = TaggedNotifiedCache<String, Int>()
        _ = try await cache.value(for: "a", tags: ["group:1"]) { 1 }
        #expect(cache.count == 0)
    }

    @Test("A value is answered from the cache until a notification names one of its tags")
    func keptUntilNamed() async throws {
        let cache = try await Self.filled()
        #expect(try await cache.value(for: "g1", tags: ["group:1"]) { 9 } == 1)
        cache.changed(payload: "group:2,agent:7")
        #expect(try await cache.value(for: "g1", tags: ["group:1"]) { 9 } == 1, "another group's change leaves it")
        cache.changed(payload: "agent:7,group:1")
        #expect(try await cache.value(for: "g1", tags: ["group:1"]) { 9 } == 9)
    }

    @Test("A value tagged with a scope's wildcard is dropped by any id of that scope, and only by those")
    func wildcard() async throws {
        let cache = try await Self.filled()
        cache.changed(payload: "group:2")
        #expect(cache.count == 2)
        cache.changed(payload: "brand:5")
        #expect(try await cache.value(for: "all", tags: ["brand:*"]) { 9 } == 9)
        #expect(try await cache.value(for: "g1", tags: ["group:1"]) { 8 } == 1)
    }

    @Test("A notification of everything, an empty payload, or one without a payload drops every value")
    func everything() async throws {
        for change: @Sendable (TaggedNotifiedCache<String, Int>) -> Void in [{ $0.changed(payload: "*") }, { $0.changed(payload: "") }, { $0.changed() }] {
            let cache = try await Self.filled()
            change(cache)
            #expect(cache.count == 0)
        }
    }

    @Test("A read that overlapped a notification naming its tags is not kept; one naming others does not stop it")
    func overlappingRead() async throws {
        let cache = TaggedNotifiedCache<String, Int>()
        cache.listening(true)
        _ = try await cache.value(for: "a", tags: ["group:1"]) {
            cache.changed(payload: "group:1")
            return 1
        }
        #expect(cache.count == 0)
        _ = try await cache.value(for: "a", tags: ["group:1"]) {
            cache.changed(payload: "group:2")
            return 1
        }
        #expect(cache.count == 1)
        _ = try await cache.value(for: "b", tags: ["brand:*"]) {
            cache.changed(payload: "brand:3")
            return 1
        }
        #expect(cache.count == 1, "a wildcard value is not kept past a change of any brand")
    }

    @Test("A read that overlapped more notifications than are remembered is not kept")
    func forgottenNotifications() async throws {
        let cache = TaggedNotifiedCache<String, Int>()
        cache.listening(true)
        _ = try await cache.value(for: "a", tags: ["group:1"]) {
            for other in 0...TaggedNotifiedCache<String, Int>.remembered { cache.changed(payload: "group:x\(other)") }
            return 1
        }
        #expect(cache.count == 0)
    }

    @Test("A fresh read replaces the kept value")
    func fresh() async throws {
        let cache = try await Self.filled()
        #expect(try await cache.value(for: "g1", tags: ["group:1"], fresh: true) { 5 } == 5)
        #expect(try await cache.value(for: "g1", tags: ["group:1"]) { 9 } == 5)
        #expect(cache.count == 2)
    }

    @Test("A lost listener empties the cache, and a cache of no capacity keeps nothing")
    func lostListenerAndNoCapacity() async throws {
        let cache = try await Self.filled()
        cache.listening(false)
        #expect(cache.count == 0)
        let none = TaggedNotifiedCache<String, Int>(capacity: 0)
        none.listening(true)
        _ = try await none.value(for: "a", tags: ["group:1"]) { 1 }
        #expect(none.count == 0)
    }
}
