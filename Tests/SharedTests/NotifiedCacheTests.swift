import Database
import Synchronization
import Testing

@Suite("Notified cache")
struct NotifiedCacheTests {
    /// Counts the reads a cache makes.
    final class Reads: Sendable {
        private let count = Mutex(0)
        func read(_ value: Int) -> Int {
            count.withLock { $0 += 1 }
            return value
        }
        var made: Int { count.withLock { $0 } }
    }

    @Test("Nothing is kept while no listener is connected")
    func notListening() async throws {
        let cache = NotifiedCache<String, Int>()
        let reads = Reads()
        _ = try await cache.value(for: "a") { reads.read(1) }
        _ = try await cache.value(for: "a") { reads.read(1) }
        #expect(reads.made == 2)
        #expect(cache.count == 0)
    }

    @Test("A value is read once while listening, and read again after a change notification")
    func keptUntilChanged() async throws {
        let cache = NotifiedCache<String, Int>()
        cache.listening(true)
        let reads = Reads()
        #expect(try await cache.value(for: "a") { reads.read(1) } == 1)
        #expect(try await cache.value(for: "a") { reads.read(2) } == 1)
        #expect(reads.made == 1)
        cache.changed()
        #expect(try await cache.value(for: "a") { reads.read(2) } == 2)
        #expect(reads.made == 2)
    }

    @Test("A value whose read overlapped a change notification is not kept")
    func overlappingRead() async throws {
        let cache = NotifiedCache<String, Int>()
        cache.listening(true)
        _ = try await cache.value(for: "a") {
            cache.changed()
            return 1
        }
        #expect(cache.count == 0)
    }

    @Test("A lost listener empties the cache")
    func lostListener() async throws {
        let cache = NotifiedCache<String, Int>()
        cache.listening(true)
        _ = try await cache.value(for: "a") { 1 }
        #expect(cache.count == 1)
        cache.listening(false)
        #expect(cache.count == 0)
    }

    @Test("Past its capacity the cache starts over instead of growing")
    func capacity() async throws {
        let cache = NotifiedCache<Int, Int>(capacity: 3)
        cache.listening(true)
        for key in 0..<4 { _ = try await cache.value(for: key) { key } }
        #expect(cache.count == 1)
    }
}
