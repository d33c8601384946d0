import ArgumentParser
import Contracts
import Database
import EventBus
import Foundation
import Outbox

/// Publishes a service's retained events again: recovery after a broker lost its data, and how a new consumer
/// catches up. Consumers dedupe by event id, so events they already have change nothing.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: "Publishes a service's retained outbox events again.")

    @Option(help: "The service whose events to publish (identity, tickets, …).") var service: String
    @Option(help: "From this time: ISO 8601 (2026-11-30T12:00:00Z) or an age such as 90m, 6h, 7d.") var since: String

    static func parseSince(_ text: String, now: Date = Date()) throws -> Date {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last, let seconds = units[unit], let amount = Double(text.dropLast()), amount >= 0 else {
            throw ValidationError("--since must be an ISO 8601 time or an age like 90m, 6h or 7d")
        }
        return now.addingTimeInterval(-amount * seconds)
    }

    func run() async throws {
        guard let service = ServiceName(rawValue: self.service) else { throw ValidationError("unknown service \(self.service)") }
        let since = try Self.parseSince(self.since)
        let kafka = KafkaConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)
        let (marked, published) = try await CommandDatabase.with(service) { database in
            let store = OutboxStore(database: database)
            let marked = try await store.markForReplay(since: since)
            let producer = try KafkaProducer(configuration: kafka, logger: database.logger)
            let relay = OutboxRelay(store: store, producer: producer, settings: .init(), logger: database.logger)
            do {
                let published = try await relay.drain(timeout: .seconds(120))
                await producer.shutdown()
                return (marked, published)
            } catch {
                await producer.shutdown()
                throw error
            }
        }
        print("\(service.rawValue): \(marked) events since \(since.formatted(.iso8601)) queued again, \(published) published by this command (running relays may have published the rest)")
    }
}
