import Testing

@testable import ServiceKit

@Suite("Email address shape")
struct EmailAddressTests {
    @Test("Spaces and tabs around an address are trimmed, Unicode's spaces too")
    func trimmed() {
        #expect(EmailAddress.validated("  ann@example.com\t") == "ann@example.com")
        #expect(EmailAddress.validated("\u{00A0}\u{3000}ann@example.com\u{2003}") == "ann@example.com")
        #expect(EmailAddress.validated("ann@example.com") == "ann@example.com")
        #expect(EmailAddress.validated("\u{200B}ann@example.com\u{200B}") == "ann@example.com")
    }

    @Test("Newlines, inner spaces, a second @, no dotted domain or an empty local part are refused")
    func refused() {
        for raw in ["ann@example.com\n", "an n@example.com", "ann@x@example.com", "ann@localhost", "@example.com", "", "   ", "\t"] {
            #expect(EmailAddress.validated(raw) == nil, "\(raw)")
        }
        #expect(EmailAddress.validated(String(repeating: "a", count: 250) + "@b.cd") == nil)
    }

    @Test("A domain whose dots do not stand between labels makes no address; the local part's dots are the mail host's to read")
    func dots() {
        for raw in ["ann@example..com", "ann@.example.com", "ann@example.com.", "a@."] {
            #expect(EmailAddress.validated(raw) == nil, "\(raw)")
        }
        for raw in ["ann.lee@example.com", "ann@mail.example.co.uk", "taro..yamada@docomo.ne.jp", "taro.@ezweb.ne.jp", "\"a..b\"@example.com"] {
            #expect(EmailAddress.validated(raw) == raw, "\(raw)")
        }
    }
}
