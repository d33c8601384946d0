import Foundation
import Synchronization

/// An event of the outbox whose transaction committed, as the committing process knows it before the broker does.
public struct CommittedEvent: Sendable, Equatable {
    public var id: UUID
    public var topic: String
    public var type: String
    public var subject: String

    public init(id: UUID, topic: String, type: String, subject: String) {
        self.id = id
        self.topic = topic
        self.type = type
        self.subject = subject
    }
}

/// The events each committed ``Database/transaction(_:)`` of this process appended to the outbox, handed to the
/// process's own readers (its search index feeds) at once, while the same events travel the outbox relay and the
/// broker to every instance. A reader that keeps up with neither loses nothing: the broker's copy follows.
public final class CommittedEvents: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<[CommittedEvent]>.Continuation]>([:])

    public init() {}

    /// The events of each commit from now on, one element per commit, until the stream is dropped.
    public func subscribe() -> AsyncStream<[CommittedEvent]> {
        let (stream, continuation) = AsyncStream<[CommittedEvent]>.makeStream()
        let key = UUID()
        continuation.onTermination = { [weak self] _ in self?.subscribers.withLock { _ = $0.removeValue(forKey: key) } }
        subscribers.withLock { $0[key] = continuation }
        return stream
    }

    func publish(_ events: [CommittedEvent]) {
        guard !events.isEmpty else { return }
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(events) }
    }
}
