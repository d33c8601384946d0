import Database

/// Splits one relay pass into waves that hold at most one record of each key (topic and message key), so a record is
/// sent only after every earlier record of its key was acknowledged.
///
/// The idempotent producer keeps a partition's order while it retries, but a message that times out (a broker away
/// longer than `message.timeout.ms`) leaves a gap: the messages queued behind it are still written. Had the relay
/// sent a key's later event alongside it, the retried earlier event would reach consumers after the later one. With
/// waves, a key whose record failed sends nothing more in this pass; its rows stay unpublished, in order, for the
/// next pass.
public struct RelayWaves: Sendable {
    struct Key: Hashable {
        var topic: String
        var key: String
    }

    private var pending: [OutboxRecord]
    private var failedKeys: Set<Key> = []

    public init(_ records: [OutboxRecord]) {
        pending = records
    }

    /// The next wave, in outbox order: each key's oldest pending record, skipping keys that failed. Empty when done.
    public mutating func next() -> [OutboxRecord] {
        var wave: [OutboxRecord] = []
        var later: [OutboxRecord] = []
        var inWave: Set<Key> = []
        for record in pending {
            let key = Key(topic: record.topic, key: record.key)
            if failedKeys.contains(key) { continue }
            if inWave.insert(key).inserted { wave.append(record) } else { later.append(record) }
        }
        pending = later
        return wave
    }

    /// Holds back the rest of this record's key for this pass.
    public mutating func failed(_ record: OutboxRecord) {
        failedKeys.insert(Key(topic: record.topic, key: record.key))
    }
}
