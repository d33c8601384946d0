import Foundation
import Synchronization

/// RFC 9562 version 7 UUIDs: time-ordered, so event ids sort by creation and index well. Those ``generate()``
/// makes in one process also sort in the order they were made within a millisecond (RFC 9562 §6.2, method 2: the
/// random bits of a later id in the same millisecond are the earlier one's plus one), so rows written together in
/// one statement (a ticket's history, say) keep their order by id.
public enum UUIDv7 {
    /// The last id made by ``generate()``: its milliseconds and its 74 random bits (12 of rand_a, 62 of rand_b).
    private struct Last {
        var milliseconds: UInt64 = 0
        var randA: UInt64 = 0
        var randB: UInt64 = 0
    }

    private static let last = Mutex(Last())
    private static let randBLimit: UInt64 = 1 << 62
    private static let randALimit: UInt64 = 1 << 12

    /// A new id for now, after every id this process made before.
    public static func generate() -> UUID {
        let now = milliseconds(of: Date())
        // Random bits only for a new millisecond (a system call each time): the last id's millisecond never goes back,
        // so one that was not behind `now` here is not behind it below either.
        var fresh: (UInt64, UInt64) = (0, 0)
        if last.withLock({ now > $0.milliseconds }) {
            var generator = SystemRandomNumberGenerator()
            fresh = (generator.next(), generator.next())
        }
        let next = last.withLock { last -> Last in
            if now > last.milliseconds {
                last = Last(milliseconds: now, randA: fresh.0 % randALimit, randB: fresh.1 % randBLimit)
            } else if last.randB + 1 < randBLimit {
                last.randB += 1
            } else if last.randA + 1 < randALimit {
                last.randA += 1
                last.randB = 0
            } else {
                last = Last(milliseconds: last.milliseconds + 1, randA: 0, randB: 0)
            }
            return last
        }
        return make(milliseconds: next.milliseconds, randA: next.randA, randB: next.randB)
    }

    /// An id for `date`, with fresh random bits (ordered by time only).
    public static func generate(at date: Date) -> UUID {
        var generator = SystemRandomNumberGenerator()
        return make(milliseconds: milliseconds(of: date), randA: (generator.next() as UInt64) % randALimit, randB: (generator.next() as UInt64) % randBLimit)
    }

    private static func milliseconds(of date: Date) -> UInt64 {
        UInt64(max(0, date.timeIntervalSince1970 * 1000))
    }

    /// unix_ts_ms (48 bits), version 7, rand_a (12 bits), variant 0b10, rand_b (62 bits).
    private static func make(milliseconds: UInt64, randA: UInt64, randB: UInt64) -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - UInt64(index)))) }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: randA >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: randA)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: randB >> 56)
        for index in 9..<16 { bytes[index] = UInt8(truncatingIfNeeded: randB >> (8 * (15 - UInt64(index)))) }
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
