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

@Suite("Password rules")
struct PasswordRulesTests {
    @Test("Passwords must be 8 to 72 bytes, bcrypt's limit")
    func lengths() {
        #expect(throws: Problem.self) { try PasswordRules.validate("short") }
        #expect(throws: Problem.self) { try PasswordRules.validate(String(repeating: "x", count: 73)) }
        #expect(throws: Never.self) { try PasswordRules.validate("long enough") }
    }
}
