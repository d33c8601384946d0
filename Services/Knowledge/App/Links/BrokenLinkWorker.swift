import Foundation
import Logging
import ServiceLifecycle
import ServiceKit

/// Scans articles and news "automatically and periodically": every `every`, each item's links are checked again;
/// items asked to be rescanned (or never scanned) go first. Instances share the work by claiming batches.
public struct BrokenLinkWorker: Service {
    let store: LinkCheckStore
    let scanner: BrokenLinkScanner
    let every: Duration
    let poll: Duration
    let gate: StartupGate?
    let logger: Logger

    public init(store: LinkCheckStore, scanner: BrokenLinkScanner, every: Duration, poll: Duration = .seconds(30), gate: StartupGate?, logger: Logger) {
        self.store = store
        self.scanner = scanner
        self.every = every
        self.poll = poll
        self.gate = gate
        self.logger = logger
    }

    public func run() async throws {
        try await BatchWorker("broken-link scan", every: poll, gate: gate, logger: logger) { try await scanDue() }.run()
    }

    /// Claims and scans one batch of due items; answers how many.
    @discardableResult
    public func scanDue(now: Date = Date()) async throws -> Int {
        let seconds = Double(every.components.seconds) + Double(every.components.attoseconds) / 1e18
        let due = try await store.claimDue(checkedBefore: now.addingTimeInterval(-seconds), limit: 25)
        if !due.isEmpty { try await scanner.scan(due, now: now) }
        return due.count
    }
}
