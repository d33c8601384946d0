import Auth
import Contracts
import Foundation
import Fleet
import Outbox
import Search
import ServiceKit
import TicketsApp

let runtime = try FleetRuntime(service: .tickets)
let tokens = try await TokenService.fromEnvironment(runtime.configuration.environment)
try FileManager.default.createDirectory(atPath: runtime.configuration.dataDirectory, withIntermediateDirectories: true)
let index = try SearchIndex(path: runtime.configuration.dataDirectory + "/tickets-index", schemaVersion: TicketSearchTerms.schemaVersion)
// Searches go to read-only handles, as many at once as there are cores, not through the writer's actor.
let readers = try runtime.searchReaders(index: "tickets-index")
let api = TicketsAPI(
    database: runtime.database, tokens: tokens, index: readers,
    creationBatches: try runtime.configuration.environment.int("CONCIERGE_TICKETS_CREATION_BATCHES", default: 1), metrics: runtime.metrics,
    viewPages: try runtime.configuration.environment.int("CONCIERGE_TICKETS_VIEW_PAGES", default: ViewPageCache.defaultCapacity))
let router = runtime.makeRouter()
api.addRoutes(to: router)
let directory = IdempotentConsumer(
    database: runtime.database, consumerName: "tickets-directory", kafka: runtime.kafka, groupID: "tickets-directory",
    topics: [ServiceName.identity.eventsTopic], gate: runtime.gate, logger: runtime.logger
) { header, bytes, connection in
    try await api.directory.apply(header.type, bytes, on: connection)
}
let commandHandler = TicketCommandHandler(store: api.store, logger: runtime.logger)
let commands = IdempotentConsumer(
    database: runtime.database, consumerName: "tickets-commands", kafka: runtime.kafka, groupID: "tickets-commands",
    topics: [ServiceName.tickets.commandsTopic], gate: runtime.gate, logger: runtime.logger
) { header, bytes, connection in
    try await commandHandler.apply(header.type, bytes, on: connection)
}
let timers = TimerWorker(
    store: api.store, interval: .milliseconds(try runtime.configuration.environment.int("CONCIERGE_TICKETS_TIMER_MS", default: 1000)),
    gate: runtime.gate, logger: runtime.logger)
let timingWatch = TimingSettingsWatch()
let timing = BatchWorker(
    "timing alerts", every: .seconds(try runtime.configuration.environment.int("CONCIERGE_TICKETS_TIMING_CHECK_SECONDS", default: 30)),
    gate: runtime.gate, logger: runtime.logger
) { try await api.store.raiseTimingAlerts(watch: timingWatch) }
let indexFeed = try runtime.indexFeed(TicketIndexer(index: index, database: runtime.database), events: .tickets, name: "tickets-search")
try await runtime.run(
    router: router, migrations: TicketMigrations.all,
    topics: [ServiceName.tickets.eventsTopic, ServiceName.tickets.commandsTopic, ServiceName.identity.eventsTopic], services: [api.changeListener(gate: runtime.gate), directory, commands, timers, timing, indexFeed])
