import Foundation

/// When mail the relay could not deliver is tried again: soon at first, then every 15 minutes for two days, as mail
/// servers keep a message queued for days (an SMTP outage of an afternoon must not lose a password reset). A reply
/// that refuses this message for good (5xx to its recipient or its content) ends it at once; a 5xx to the greeting or
/// the sender is the relay's configuration, which is fixed for every message, so those wait like an outage.
public enum MailRetryRule {
    public static let longestWait: TimeInterval = 900
    public static let keptFor: TimeInterval = 2 * 24 * 3_600

    /// The next attempt after `attempts` failed ones, or nil to give up.
    public static func nextAttempt(afterAttempts attempts: Int, queuedAt: Date, now: Date, error: any Error) -> Date? {
        if isPermanent(error) { return nil }
        let next = now.addingTimeInterval(min(longestWait, pow(2, Double(min(attempts, 30)))))
        return next.timeIntervalSince(queuedAt) <= keptFor ? next : nil
    }

    static func isPermanent(_ error: any Error) -> Bool {
        guard let smtp = error as? SMTPError else { return false }
        return (500...599).contains(smtp.code) && ["RCPT TO", "message"].contains(smtp.step)
    }
}
