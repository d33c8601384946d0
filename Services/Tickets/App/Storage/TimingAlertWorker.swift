import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

/// Raises Settings → Tickets, Timing alerts every `interval` (see `raiseTimingAlerts`).
public struct TimingAlertWorker: Service {
    let store: TicketStore
    let interval: Duration
    let gate: StartupGate?
    let logger: Logger

    public init(store: TicketStore, interval: Duration = .seconds(30), gate: StartupGate? = nil, logger: Logger) {
        self.store = store
        self.interval = interval
        self.gate = gate
        self.logger = logger
    }

    public func run() async throws {
        await PollingLoop.run(pause: interval, gate: gate, logger: logger, what: "timing alerts") {
            while try await store.raiseTimingAlerts() > 0 {}
        }
    }
}
