/// Lets at most `width` callers through at a time; the rest wait their turn in arrival order.
public actor TurnGate {
    private let width: Int
    private var inside = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(width: Int) {
        self.width = max(1, width)
    }

    /// Runs `body` once a place is free, and frees it after, whether `body` throws or not.
    public func pass<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if inside < width {
            inside += 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
        defer { leave() }
        return try await body()
    }

    private func leave() {
        if waiting.isEmpty {
            inside -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
