import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// The security settings row and the sign-in failure counters.
public struct SecurityRepository: Sendable {
    public enum Subject: String, Sendable {
        case account
        case address
    }

    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func settings() async throws -> SecuritySettings {
        try await database.client.withConnection { try await settings(on: $0, lock: false) }
    }

    private func settings(on connection: PostgresConnection, lock: Bool) async throws -> SecuritySettings {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT brute_force_protection, max_failed_sign_ins, max_failed_sign_ins_per_address, lockout_minutes,
                       password_minimum_length, require_numbers, require_uppercase, require_lowercase, require_symbol,
                       require_not_username, version
                FROM \(database.table("security_settings")) WHERE id = 1\(lock ? " FOR UPDATE" : "")
                """), logger: database.logger)
        var settings = SecuritySettings()
        for try await row in rows.decode((Bool, Int, Int, Int, Int, Bool, Bool, Bool, Bool, Bool, Int).self) {
            (settings.bruteForceProtection, settings.maxFailedSignIns, settings.maxFailedSignInsPerAddress, settings.lockoutMinutes,
             settings.passwordMinimumLength, settings.requireNumbers, settings.requireUppercase, settings.requireLowercase,
             settings.requireSymbol, settings.requireNotUsername, settings.version) = row
        }
        return settings
    }

    /// Changes the settings with `change`, applied to them as read under their row's lock (so simultaneous changes of
    /// different settings all stay; a 412 when `expectedVersion`, the If-Match, is not the current version), and
    /// appends `security_settings.updated` to the outbox in the same transaction.
    public func update(expectedVersion: Int?, _ change: (inout SecuritySettings) throws -> Void) async throws -> SecuritySettings {
        try await database.transaction { connection in
            var settings = try await settings(on: connection, lock: true)
            if let expectedVersion, expectedVersion != settings.version {
                throw Problem.preconditionFailed("The security settings changed since version \(expectedVersion); they are at version \(settings.version).")
            }
            try change(&settings)
            var binds = PostgresBindings()
            for flag in [settings.bruteForceProtection] { binds.append(flag) }
            for number in [settings.maxFailedSignIns, settings.maxFailedSignInsPerAddress, settings.lockoutMinutes, settings.passwordMinimumLength] {
                binds.append(number)
            }
            for flag in [settings.requireNumbers, settings.requireUppercase, settings.requireLowercase, settings.requireSymbol, settings.requireNotUsername] {
                binds.append(flag)
            }
            try await connection.query(
                PostgresQuery(unsafeSQL: """
                    UPDATE \(database.table("security_settings")) SET brute_force_protection = $1, max_failed_sign_ins = $2,
                        max_failed_sign_ins_per_address = $3, lockout_minutes = $4, password_minimum_length = $5,
                        require_numbers = $6, require_uppercase = $7, require_lowercase = $8, require_symbol = $9,
                        require_not_username = $10, version = version + 1, updated_at = now()
                    WHERE id = 1
                    """, binds: binds), logger: database.logger
            ).consume()
            settings.version += 1
            try await IdentityEvents(database: database).publish("security_settings.updated", subject: "security-settings", data: settings, on: connection)
            return settings
        }
    }

    public func failures(_ subject: Subject, _ key: String) async throws -> FailureRecord? {
        var binds = PostgresBindings()
        binds.append(subject.rawValue)
        binds.append(key)
        let rows = try await database.client.query(
            PostgresQuery(unsafeSQL: "SELECT failures, first_failure_at, locked_until FROM \(database.table("sign_in_failures")) WHERE kind = $1 AND subject = $2", binds: binds),
            logger: database.logger)
        for try await (failures, first, until) in rows.decode((Int, Date, Date?).self) {
            return FailureRecord(failures: failures, firstFailureAt: first, lockedUntil: until)
        }
        return nil
    }

    /// Counts one more failure under a row lock, so concurrent guesses cannot slip past the limit.
    public func recordFailure(_ subject: Subject, _ key: String, limit: Int, lockoutMinutes: Int, now: Date = Date()) async throws -> FailureRecord {
        try await database.transaction { connection in
            var keyBinds = PostgresBindings()
            keyBinds.append(subject.rawValue)
            keyBinds.append(key)
            try await connection.query(
                PostgresQuery(unsafeSQL: "INSERT INTO \(database.table("sign_in_failures")) (kind, subject, failures, first_failure_at) VALUES ($1, $2, 0, now()) ON CONFLICT DO NOTHING", binds: keyBinds),
                logger: database.logger
            ).consume()
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT failures, first_failure_at, locked_until FROM \(database.table("sign_in_failures")) WHERE kind = $1 AND subject = $2 FOR UPDATE", binds: keyBinds),
                logger: database.logger)
            var current: FailureRecord?
            for try await (failures, first, until) in rows.decode((Int, Date, Date?).self) {
                current = failures == 0 ? nil : FailureRecord(failures: failures, firstFailureAt: first, lockedUntil: until)
            }
            let next = LockoutRules.afterFailure(current, limit: limit, lockoutMinutes: lockoutMinutes, now: now)
            var binds = keyBinds
            binds.append(next.failures)
            binds.append(next.firstFailureAt)
            binds.append(next.lockedUntil)
            try await connection.query(
                PostgresQuery(unsafeSQL: "UPDATE \(database.table("sign_in_failures")) SET failures = $3, first_failure_at = $4, locked_until = $5 WHERE kind = $1 AND subject = $2", binds: binds),
                logger: database.logger
            ).consume()
            return next
        }
    }

    public func clear(_ subject: Subject, _ key: String) async throws {
        var binds = PostgresBindings()
        binds.append(subject.rawValue)
        binds.append(key)
        try await database.client.query(
            PostgresQuery(unsafeSQL: "DELETE FROM \(database.table("sign_in_failures")) WHERE kind = $1 AND subject = $2", binds: binds),
            logger: database.logger
        ).consume()
    }
}
