import Database
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Runs due ticket timers (auto-close, auto-lock, auto-delete, follow-ups, purge), the re-timing of a department's
/// tickets after its timer settings changed, the hand-over or deletion of a deleted department's tickets, a moved
/// group's tickets following it to its department, due rebalance rules, task timers (started, reminder, due), the
/// Task Scheduler's recurring tasks, the re-timing of purges when Settings → Tickets' purge period changes, the purge
/// of deleted tasks, of expired spent CAPTCHA challenges and of raw emails past their retention. Each timer is claimed
/// and acted on in one transaction with SKIP LOCKED, so with several instances every timer runs exactly once, and
/// timers survive restarts because they are rows.
public struct TimerWorker: Service {
    let store: TicketStore
    let interval: Duration
    let gate: StartupGate?
    let logger: Logger

    /// How long a timer that cannot act waits before it is tried again.
    static let retryDelay: TimeInterval = 15 * 60

    public init(store: TicketStore, interval: Duration = .seconds(1), gate: StartupGate? = nil, logger: Logger) {
        self.store = store
        self.interval = interval
        self.gate = gate
        self.logger = logger
    }

    /// How often the purges that nobody waits for run (deleted tasks, spent CAPTCHA challenges, unclaimed uploads, raw emails),
    /// rather than on every pass.
    static let housekeepingInterval: Duration = .seconds(60)

    public func run() async throws {
        var lastHousekeeping: ContinuousClock.Instant?
        var purgesTimedFor: Int?
        await PollingLoop.run(pause: interval, gate: gate, logger: logger, what: "timer") {
            while try await runOne() {}
            while try await store.resyncDepartmentTimers() {}
            while try await store.moveDepartmentTicketsToItsBrand() {}
            while try await store.removeDeletedDepartmentTickets() {}
            while try await store.removeDeletedGroupTickets() {}
            while try await store.moveGroupTicketsToItsDepartment() {}
            while try await store.runDueRebalanceRule() != nil {}
            while try await store.runDueTaskTimer() {}
            while try await store.runDueTaskSchedule() {}
            let now = ContinuousClock.now
            guard lastHousekeeping.map({ now - $0 >= Self.housekeepingInterval }) ?? true else { return }
            lastHousekeeping = now
            purgesTimedFor = try await keepHouse(purgesTimedFor: purgesTimedFor)
        }
    }

    /// The purges nobody waits for, and the re-timing of every deleted ticket's purge when Settings → Tickets' period
    /// is not `purgesTimedFor` (the one this worker last timed them for; nil when it has not). Answers the period now
    /// in force.
    public func keepHouse(purgesTimedFor: Int?) async throws -> Int {
        let purgeDays = try await store.settings().purgeDeletedAfterDays
        if purgesTimedFor != purgeDays { try await store.retimePurges(days: purgeDays) }
        while try await store.purgeDeletedTasks(days: purgeDays) > 0 {}
        while try await store.forgetExpiredCaptchas() > 0 {}
        while try await store.forgetStaleUploads() > 0 {}
        while try await store.purgeRawContent() > 0 {}
        return purgeDays
    }

    /// Claims and runs the earliest due timer; false when none is due.
    ///
    /// The ticket is locked before its timer, the order every change of a ticket keeps (it locks the ticket, then
    /// rewrites its timers), so a timer firing while an agent changes its ticket cannot deadlock with the change. A
    /// ticket another transaction holds is passed over until it is free.
    @discardableResult
    public func runOne(now: Date = Date()) async throws -> Bool {
        try await store.database.transaction { connection in
            while let (ticketID, kindName) = try await earliestDue(now, on: connection) {
                // Read before the ticket was ours, the timer may have been run or moved by a change that committed
                // meanwhile: then look again (each statement sees what is committed now).
                guard try await claim(kindName, of: ticketID, dueBy: now, on: connection) else { continue }
                if let kind = TimerKind(rawValue: kindName) { try await fireOrPostpone(kind, ticket: ticketID, now: now, on: connection) }
                return true
            }
            return false
        }
    }

    /// Runs a claimed timer. One its ticket refuses (a rule or the database refusing what it would write: the same
    /// the next time) is undone, logged and tried again after ``retryDelay``, rather than failing the whole pass, where
    /// it would come first again and hold up every timer due after it.
    private func fireOrPostpone(_ kind: TimerKind, ticket ticketID: UUID, now: Date, on connection: PostgresConnection) async throws {
        try await connection.query("SAVEPOINT timer_fire", logger: store.database.logger).consume()
        do {
            try await store.fire(kind, ticket: ticketID, now: now, on: connection)
        } catch let error where Self.isRefusal(error) {
            try await connection.query("ROLLBACK TO SAVEPOINT timer_fire", logger: store.database.logger).consume()
            let retry = now.addingTimeInterval(Self.retryDelay)
            try await store.postpone(kind, of: ticketID, until: retry, on: connection)
            logger.error(
                "a ticket timer cannot act; it is tried again later",
                metadata: ["ticketID": "\(ticketID)", "kind": "\(kind.rawValue)", "error": "\(error)", "retryAt": "\(retry)"])
        }
    }

    /// A refusal that trying again at once would meet again: a rule's problem, or PostgreSQL refusing the data.
    static func isRefusal(_ error: any Error) -> Bool {
        error is Problem || (error as? any ProblemConvertible)?.problem != nil
    }

    /// The earliest timer due by `now` whose ticket no other transaction holds, with that ticket locked.
    private func earliestDue(_ now: Date, on connection: PostgresConnection) async throws -> (UUID, String)? {
        let database = store.database
        var binds = PostgresBindings()
        binds.append(now)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT tm.ticket_id, tm.kind FROM \(database.table("timers")) tm JOIN \(database.table("tickets")) t ON t.id = tm.ticket_id
                WHERE tm.due_at <= $1 ORDER BY tm.due_at LIMIT 1 FOR UPDATE OF t SKIP LOCKED
                """, binds: binds), logger: database.logger)
        for try await row in rows.decode((UUID, String).self) { return row }
        return nil
    }

    /// Takes the ticket's timer of `kind` if it is still due by `now`.
    private func claim(_ kind: String, of ticketID: UUID, dueBy now: Date, on connection: PostgresConnection) async throws -> Bool {
        let database = store.database
        var binds = PostgresBindings()
        binds.append(ticketID)
        binds.append(kind)
        binds.append(now)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                DELETE FROM \(database.table("timers")) WHERE ticket_id = $1 AND kind = $2 AND due_at <= $3 RETURNING kind
                """, binds: binds), logger: database.logger)
        for try await _ in rows { return true }
        return false
    }
}
