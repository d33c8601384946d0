import Synchronization

/// The outbox events appended inside the running ``Database/transaction(_:)`` (or ``Database/withConnection(_:)``):
/// bound to its task, filled by ``OutboxStore``, published as ``CommittedEvents`` once it committed (dropped when it
/// rolls back).
final class TransactionEvents: Sendable {
    @TaskLocal static var current: TransactionEvents?

    private let appended = Mutex<[CommittedEvent]>([])

    func record(_ events: [CommittedEvent]) {
        appended.withLock { $0.append(contentsOf: events) }
    }

    var events: [CommittedEvent] { appended.withLock { $0 } }
}
