import Foundation
import Logging
import Synchronization
import Testing

@testable import Fleet
@testable import Search

@Suite("Index writer")
struct IndexWriterTests {
    /// When each batch was read, and which documents it asked for.
    final class BatchLog: Sendable {
        let starts = Mutex<[ContinuousClock.Instant]>([])
        let batches = Mutex<[Set<UUID>]>([])
    }

    /// Each id is a document with one word, so that the writer's projection needs no database.
    struct NamedDocuments: SearchProjection {
        let index: SearchIndex
        var log = BatchLog()
        func documents(after: UUID?) async throws -> [SearchDocument] { [] }
        func documents(ids: Set<UUID>) async throws -> [SearchDocument] {
            log.starts.withLock { $0.append(.now) }
            log.batches.withLock { $0.append(ids) }
            return ids.map { SearchDocument(id: $0.uuidString.lowercased(), fields: [SearchField(prefix: "S", text: "ticket", weight: 1)]) }
        }
    }

    /// Documents the index refuses (a value in a slot the index reserves) for the ids in `refused`.
    struct PartlyRefused: SearchProjection {
        let index: SearchIndex
        let refused: Set<UUID>
        func documents(after: UUID?) async throws -> [SearchDocument] { [] }
        func documents(ids: Set<UUID>) async throws -> [SearchDocument] {
            ids.map { id in
                SearchDocument(
                    id: id.uuidString.lowercased(), fields: [SearchField(prefix: "S", text: "ticket", weight: 1)],
                    values: refused.contains(id) ? [SearchIndex.reservedValueSlots: "x"] : [:])
            }
        }
    }

    @Test("A document the index refuses is left out and named; the others of its batch are written")
    func refusedDocumentIsLeftOut() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("index-writer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let index = try SearchIndex(path: path, schemaVersion: 1)
        let (good, bad) = (UUID(), UUID())
        let refused = try await PartlyRefused(index: index, refused: [bad]).reindex([good, bad])
        #expect(refused.map(\.id) == [bad.uuidString.lowercased()])
        try await index.commit()
        #expect(await index.documentCount() == 1)
        await index.close()
    }

    /// Adds `count` documents to pending, one every 10 ms, while a writer with `spacing` runs; returns when each
    /// batch started, the commits made and whether the index was left clean.
    static func feed(count: Int, spacing: Duration) async throws -> (batches: [ContinuousClock.Instant], commits: Int, clean: Bool) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("index-writer-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let index = try SearchIndex(path: path, schemaVersion: 1)
        try await index.markBuilt()
        let before = try revision(path)
        let pending = PendingDocuments()
        let projection = NamedDocuments(index: index)
        let writer = IndexWriter(
            projection: projection, pending: pending, spacing: spacing, retryDelay: .milliseconds(10),
            logger: Logger(label: "index-writer-test"))
        let running = Task { await writer.run() }
        for _ in 0..<count {
            await pending.add(UUID())
            try await Task.sleep(for: .milliseconds(10))
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let written = await index.documentCount() == count
            if written, try revision(path) > before { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: spacing + .milliseconds(200))
        running.cancel()
        await running.value
        let commits = try revision(path) - before
        #expect(await index.documentCount() == count)
        await index.close()
        let reopened = try SearchIndex(path: path, schemaVersion: 1)
        let clean = await !reopened.needsRebuild
        let kept = await reopened.documentCount() == count
        await reopened.close()
        return (projection.log.starts.withLock { $0 }, commits, clean && kept)
    }

    /// The revision of the index's last commit: one more for every commit.
    static func revision(_ path: String) throws -> Int {
        let version = try XapianReader(path: path).version()
        return Int(version.split(separator: "/").last ?? "") ?? -1
    }

    @Test("Documents arriving faster than the spacing are written together: batches start a spacing apart, one commit each")
    func burstsShareCommits() async throws {
        let spacing = Duration.milliseconds(300)
        let (batches, commits, clean) = try await Self.feed(count: 100, spacing: spacing)
        let gaps = zip(batches.dropFirst(), batches).map { $0 - $1 }
        // The log notes when the projection is asked, a moment after the writer took its start time, and that moment
        // varies by a fraction of a millisecond (CI once saw 299.8 ms): the spacing holds within 5 ms.
        #expect(gaps.allSatisfy { $0 >= spacing - .milliseconds(5) }, "batches started \(gaps) apart")
        // A document every 10 ms and a batch every 300 ms: about 30 documents a batch, and never one each on a loaded machine.
        #expect(batches.count <= 25, "\(batches.count) batches for 100 documents")
        // One commit per batch, plus marking the index dirty before the first and clean after the last.
        #expect(commits <= batches.count + 2, "\(commits) commits for \(batches.count) batches")
        #expect(clean, "the index was not marked clean after the writer caught up")
    }
}
