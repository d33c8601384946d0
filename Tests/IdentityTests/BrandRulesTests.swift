import Foundation
import HTTPTypes
import IdentityApp
import ServiceKit
import Testing

@Suite("Brand rules")
struct BrandRulesTests {
    @Test("Hostnames are lower-cased, lose a trailing dot and are deduplicated")
    func normalization() throws {
        let brand = try BrandRules.validate(name: "  Demo  ", hostnames: ["Demo.LocalHost.", "demo.localhost", "help.demo.example"])
        #expect(brand.name == "Demo")
        #expect(brand.hostnames == ["demo.localhost", "help.demo.example"])
    }

    @Test("Invalid hostnames are rejected with the field that is wrong", arguments: [
        "", "bad host", "-lead.example", "trail-.example", "under_score.example", "a..b", String(repeating: "a", count: 64) + ".example",
    ])
    func invalidHostnames(hostname: String) {
        #expect(BrandRules.normalizeHostname(hostname) == nil)
        #expect(throws: Problem.self) { try BrandRules.validate(name: "X", hostnames: [hostname]) }
    }

    @Test("A brand needs a name of at most 100 characters and at least one hostname")
    func requiredFields() {
        do {
            _ = try BrandRules.validate(name: " ", hostnames: [])
            Issue.record("expected a validation problem")
        } catch let problem as Problem {
            #expect(problem.status == .unprocessableContent)
            #expect(problem.errors.map(\.field) == ["name", "hostnames"])
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: Problem.self) { try BrandRules.validate(name: String(repeating: "n", count: 101), hostnames: ["a.example"]) }
    }

    @Test("The hostname of a Host header drops the port")
    func hostHeader() {
        #expect(BrandRules.hostname(fromHostHeader: "Demo.localhost:8080") == "demo.localhost")
        #expect(BrandRules.hostname(fromHostHeader: "demo.localhost") == "demo.localhost")
        #expect(BrandRules.hostname(fromHostHeader: "bad host:80") == nil)
    }
}

@Suite("Password policy")
struct PasswordPolicyTests {
    @Test("Each requirement a password breaks is named")
    func namedRules() {
        var settings = SecuritySettings()
        settings.passwordMinimumLength = 10
        settings.requireNumbers = true
        settings.requireUppercase = true
        settings.requireSymbol = true
        #expect(PasswordPolicy.violations("short", username: "a@b.c", settings: settings) == [.minimumLength, .numbers, .uppercase, .symbol])
        #expect(PasswordPolicy.violations("Longer-pass1", username: "a@b.c", settings: settings) == [])
        #expect(PasswordPolicy.violations(String(repeating: "x", count: 73), username: "a", settings: SecuritySettings()) == [.maximumLength])
        #expect(PasswordPolicy.violations("Me@Example.com", username: "me@example.com", settings: SecuritySettings()) == [.notUsername])
        do {
            try PasswordPolicy.validate("short", username: "a@b.c", settings: settings)
            Issue.record("expected 422")
        } catch let problem as Problem {
            #expect(problem.status == .unprocessableContent)
            #expect(problem.errors.map(\.message).first == "minimum-length: at least 10 characters")
        } catch { Issue.record("unexpected \(error)") }
    }
}

@Suite("Lockout rules")
struct LockoutRulesTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("The limit-th failure within the period locks for the lockout period, which then releases by itself")
    func locking() {
        var record: FailureRecord?
        for attempt in 1...10 {
            record = LockoutRules.afterFailure(record, limit: 10, lockoutMinutes: 5, now: start.addingTimeInterval(Double(attempt)))
            #expect((LockoutRules.isLocked(record, now: start.addingTimeInterval(Double(attempt))) != nil) == (attempt == 10))
        }
        let until = LockoutRules.isLocked(record, now: start.addingTimeInterval(11))
        #expect(until == start.addingTimeInterval(10 + 300))
        #expect(LockoutRules.isLocked(record, now: start.addingTimeInterval(311)) == nil)
        let afterRelease = LockoutRules.afterFailure(record, limit: 10, lockoutMinutes: 5, now: start.addingTimeInterval(311))
        #expect(afterRelease.failures == 1)
    }

    @Test("Failures older than the period do not count")
    func window() {
        let old = FailureRecord(failures: 9, firstFailureAt: start, lockedUntil: nil)
        let next = LockoutRules.afterFailure(old, limit: 10, lockoutMinutes: 5, now: start.addingTimeInterval(301))
        #expect(next.failures == 1)
        #expect(next.lockedUntil == nil)
    }
}
