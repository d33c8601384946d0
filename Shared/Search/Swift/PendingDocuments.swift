import Foundation

/// The documents an index feed has been told about and not yet re-indexed: a set, so a burst of events about one
/// document (a ticket created, assigned, replied …) costs one re-index.
public actor PendingDocuments {
    private var ids: Set<UUID> = []
    private var waiting: CheckedContinuation<Void, Never>?

    public init() {}

    public var isEmpty: Bool { ids.isEmpty }

    public func add(_ id: UUID) {
        ids.insert(id)
        wake()
    }

    public func add(_ more: Set<UUID>) {
        ids.formUnion(more)
        if !ids.isEmpty { wake() }
    }

    /// Everything pending once there is something: waits for the first document, so a lone change is written at
    /// once, while those arriving during a write wait for the next one together. Empty when cancelled.
    public func next() async -> Set<UUID> {
        if ids.isEmpty && !Task.isCancelled {
            await withTaskCancellationHandler {
                await withCheckedContinuation { waiting = $0 }
            } onCancel: {
                Task { await self.wake() }
            }
        }
        return take()
    }

    private func wake() {
        waiting?.resume()
        waiting = nil
    }

    /// Everything pending, leaving nothing behind.
    public func take() -> Set<UUID> {
        defer { ids.removeAll(keepingCapacity: true) }
        return ids
    }
}
