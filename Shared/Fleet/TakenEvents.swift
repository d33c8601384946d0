import Foundation

/// The ids of events an ``IndexFeed`` already took from its own process's commits (``CommittedEvents``), so that the
/// broker's copy of each, arriving a little later, does not re-index the document again. Bounded: when the broker's
/// copies stop coming back (a consumer far behind), the oldest ids are forgotten and those copies merely cost a
/// second re-index.
actor TakenEvents {
    private let capacity: Int
    private var ids: Set<UUID> = []
    private var order: [UUID] = []
    private var oldest = 0

    init(capacity: Int = 65_536) {
        self.capacity = max(1, capacity)
    }

    func insert(_ more: [UUID]) {
        for id in more { insert(id) }
    }

    func insert(_ id: UUID) {
        guard ids.insert(id).inserted else { return }
        if order.count < capacity {
            order.append(id)
        } else {
            ids.remove(order[oldest])
            order[oldest] = id
            oldest = (oldest + 1) % capacity
        }
    }

    /// Whether the event was taken; its id is forgotten either way, as its broker copy comes once per instance.
    func remove(_ id: UUID) -> Bool {
        ids.remove(id) != nil
    }
}
