import Foundation

/// Failed sign-ins of one account or one client address, and whether they locked it.
public struct FailureRecord: Sendable, Equatable {
    public var failures: Int
    public var firstFailureAt: Date
    public var lockedUntil: Date?

    public init(failures: Int, firstFailureAt: Date, lockedUntil: Date?) {
        self.failures = failures
        self.firstFailureAt = firstFailureAt
        self.lockedUntil = lockedUntil
    }
}

/// Brute force protection as plain rules: failures count within one lockout period; reaching the limit locks
/// for the lockout period; the lock releases itself when the time has passed.
public enum LockoutRules {
    public static func isLocked(_ record: FailureRecord?, now: Date) -> Date? {
        guard let until = record?.lockedUntil, until > now else { return nil }
        return until
    }

    public static func afterFailure(_ record: FailureRecord?, limit: Int, lockoutMinutes: Int, now: Date) -> FailureRecord {
        let period = TimeInterval(max(1, lockoutMinutes) * 60)
        var next = record ?? FailureRecord(failures: 0, firstFailureAt: now, lockedUntil: nil)
        let expiredLock = next.lockedUntil.map { $0 <= now } ?? false
        if expiredLock || now.timeIntervalSince(next.firstFailureAt) > period {
            next = FailureRecord(failures: 0, firstFailureAt: now, lockedUntil: nil)
        }
        next.failures += 1
        if next.failures >= max(1, limit) { next.lockedUntil = now.addingTimeInterval(period) }
        return next
    }
}
