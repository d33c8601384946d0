import Contracts
import Foundation
import NIOCore
import PostgresNIO
import ServiceKit

/// A row of the outbox waiting to be (or already) published.
public struct OutboxRecord: Sendable, Equatable {
    public var id: Int64
    public var eventID: UUID
    public var topic: String
    public var key: String
    public var payload: [UInt8]

    public init(id: Int64, eventID: UUID, topic: String, key: String, payload: [UInt8]) {
        self.id = id
        self.eventID = eventID
        self.topic = topic
        self.key = key
        self.payload = payload
    }
}

/// The transactional outbox: an event is written in the same transaction as the state change it reports,
/// so PostgreSQL, not the broker, decides what happened.
public struct OutboxStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Appends an event inside the caller's transaction.
    public func append<P>(_ event: CloudEvent<P>, topic: String, on connection: PostgresConnection) async throws {
        try await append([event], topic: topic, on: connection)
    }

    /// Appends events inside the caller's transaction, in order, with one statement.
    public func append<P>(_ events: [CloudEvent<P>], topic: String, on connection: PostgresConnection) async throws {
        var statement = CompositeStatement()
        try append(events, topic: topic, to: &statement)
        try await statement.run(on: connection, logger: database.logger)
    }

    /// Adds the events, in order, to a statement that writes other changes too.
    public func append<P>(_ events: [CloudEvent<P>], topic: String, to statement: inout CompositeStatement) throws {
        try append(events.map { ($0.id, $0.type, $0.subject, try CloudEventCoding.encode($0)) }, topic: topic, to: &statement)
    }

    /// Adds events whose data writes its own JSON (``JSONWritable``), the same bytes without Foundation's encoder.
    public func append<P: JSONWritable>(_ events: [CloudEvent<P>], topic: String, to statement: inout CompositeStatement) throws {
        try append(events.map { ($0.id, $0.type, $0.subject, $0.jsonBytes) }, topic: topic, to: &statement)
    }

    /// The key of each row is the event's subject. Inside a ``Database/transaction(_:)`` or ``Database/withConnection(_:)``, the events are also noted for
    /// ``CommittedEvents``.
    private func append(_ events: [(id: String, type: String, key: String, payload: [UInt8])], topic: String, to statement: inout CompositeStatement) throws {
        guard statement.wantsPart(rows: events.count) else { return }
        var ids: [UUID] = []
        var keys: [String] = []
        var payloads: [String] = []
        for event in events {
            guard let eventID = UUID(parsing: event.id) else {
                throw CocoaError(.coderInvalidValue, userInfo: [NSDebugDescriptionErrorKey: "event id \(event.id) is not a UUID"])
            }
            ids.append(eventID)
            keys.append(event.key)
            payloads.append(String(decoding: event.payload, as: UTF8.self))
        }
        if let transaction = TransactionEvents.current {
            transaction.record(zip(ids, events).map { CommittedEvent(id: $0, topic: topic, type: $1.type, subject: $1.key) })
        }
        let appended = statement.add("""
            INSERT INTO \(database.table("outbox")) (event_id, topic, message_key, payload)
            SELECT id, \(statement.bind(topic)), message_key, convert_to(payload, 'UTF8')
            FROM unnest(\(statement.bind(ids))::uuid[], \(statement.bind(keys))::text[], \(statement.bind(payloads))::text[]) WITH ORDINALITY
                 AS e(id, message_key, payload, position)
            ORDER BY position
            RETURNING id
            """)
        statement.add("INSERT INTO \(pending) (id) SELECT id FROM \(appended)")
    }

    /// The ids of the events waiting to be published. The events themselves are never updated: publishing one deletes
    /// its id here, so the relay's reads stay as small as what waits, however many published events are kept.
    private var pending: String { database.table("outbox_pending") }

    /// Whether any row waits to be published: one read of the small table of pending ids, so that a relay with
    /// nothing to do costs one round trip a pass instead of a transaction of four.
    public func hasUnpublished() async throws -> Bool {
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(pending))"), logger: database.logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    /// Locks up to `limit` unpublished rows, oldest first, or none when another relay of this schema holds the
    /// relay lock: one instance relays at a time, so two events about one thing (same key) never race each other
    /// to the broker from two instances and arrive out of order.
    ///
    /// The pending ids are read first, into an array the outbox is then probed with: joined, the planner could walk
    /// the whole outbox (every event ever published) in id order looking for the few pending ones. It did once
    /// statistics counted a backlog: on the bench stack each claim took 1.6 s, and the relay fell behind for good.
    ///
    /// A pending id whose event is gone (a replay racing the purge of old events) is claimed too, as the oldest:
    /// it is forgotten here, or such ids would fill every claim and stop the relay.
    public func claimUnpublished(limit: Int, on connection: PostgresConnection) async throws -> [OutboxRecord] {
        var lock = PostgresBindings()
        lock.append(database.table("outbox"))
        let granted = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT pg_try_advisory_xact_lock(hashtext($1))", binds: lock), logger: database.logger)
        for try await relaying in granted.decode(Bool.self) where !relaying { return [] }
        while true {
            var binds = PostgresBindings()
            binds.append(limit)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: claimSQL, binds: binds), logger: database.logger)
            var records: [OutboxRecord] = []
            var gone: [Int64] = []
            for try await (id, eventID, topic, key, payload) in rows.decode((Int64, UUID?, String?, String?, ByteBuffer?).self) {
                guard let eventID, let topic, let key, let payload else {
                    gone.append(id)
                    continue
                }
                records.append(OutboxRecord(id: id, eventID: eventID, topic: topic, key: key, payload: Array(buffer: payload)))
            }
            guard !gone.isEmpty else { return records }
            try await markPublished(gone, on: connection)
            database.logger.warning("pending outbox ids without their event forgotten", metadata: ["count": "\(gone.count)"])
            if !records.isEmpty { return records }
        }
    }

    /// The oldest `$1` pending ids, locked, with their events (none for an id whose event is gone); see
    /// ``claimUnpublished(limit:on:)``.
    var claimSQL: String {
        """
        SELECT p.id, o.event_id, o.topic, o.message_key, o.payload
        FROM unnest(ARRAY(SELECT id FROM \(pending) ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)) AS p(id)
        LEFT JOIN \(database.table("outbox")) o ON o.id = p.id
        ORDER BY p.id
        """
    }

    public func markPublished(_ ids: [Int64], on connection: PostgresConnection) async throws {
        guard !ids.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(ids)
        try await connection.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(pending) WHERE id = ANY($1)", binds: binds),
            logger: database.logger
        ).consume()
    }

    /// Deletes up to `limit` published rows older than the retention, oldest first (a full batch means there may be
    /// more); unpublished rows are never deleted.
    @discardableResult
    public func purgePublished(olderThan cutoff: Date, limit: Int = 5_000) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(cutoff)
        binds.append(limit)
        return try await database.changedRows(purgeSQL, binds)
    }

    /// Up to `$2` published events created before `$1`, oldest first. Their ids are read into an array first: with
    /// `id IN (SELECT … LIMIT $2)`, the generic plan (``DatabaseURL``) expected a tenth of the outbox and was a few per
    /// cent from scanning all of it, which it did for events of a few hundred bytes.
    var purgeSQL: String {
        """
        DELETE FROM \(database.table("outbox")) WHERE id = ANY(ARRAY(
            SELECT o.id FROM \(database.table("outbox")) o
            WHERE o.created_at < $1 AND NOT EXISTS (SELECT 1 FROM \(pending) p WHERE p.id = o.id) ORDER BY o.created_at LIMIT $2))
        RETURNING id
        """
    }

    /// Marks every retained event created since `since` (and no later than `until`, when given) unpublished again, so
    /// the relays publish them anew.
    @discardableResult
    public func markForReplay(since: Date, until: Date? = nil) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(since)
        binds.append(until)
        return try await database.changedRows(
            """
            INSERT INTO \(pending) (id) SELECT id FROM \(database.table("outbox"))
            WHERE created_at >= $1 AND ($2::timestamptz IS NULL OR created_at <= $2) ORDER BY id
            ON CONFLICT DO NOTHING RETURNING id
            """, binds)
    }


    public func unpublishedCount() async throws -> Int {
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(pending)"),
            logger: database.logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
