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

    @Test("Control and invisible formatting characters, and the characters that separate addresses in a header, are refused outside quotes")
    func headerSafe() {
        for raw in [
            "a\u{1}b@example.com", "a@example.com\u{7}", "a@ex\u{7F}ample.com", "a@example.com,x", "a@evil.com>,<b.c", "<a@example.com>",
            "a;b@example.com", "a@ex\u{202E}ample.com", "a\u{200B}b@example.com", "a\u{85}b@example.com", "a(b)@example.com",
        ] {
            #expect(EmailAddress.validated(raw) == nil, "\(raw.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(EmailAddress.validated("\"a,b\"@example.com") == "\"a,b\"@example.com", "a quoted local part may hold them")
        #expect(EmailAddress.validated("\"a\u{1}b\"@example.com") == nil, "but not a control character")
    }

    @Test("A domain's labels are letters, digits, underscores and inner hyphens, in any script; a forwarder's long local part is kept")
    func lengthsAndLabels() {
        let forwarded = "SRS0=HHH=TT=customer-support.example.co.uk=lee.morgan.the.third.of.that.name@forwarder.example.net"
        #expect(EmailAddress.validated(forwarded) == forwarded, "longer than 64 bytes before the @, as forwarders rewrite addresses")
        #expect(EmailAddress.validated("a@mail_1.example.com") == "a@mail_1.example.com")
        for raw in ["a@-example.com", "a@example-.com", "a@exa mple.com", "a@exa+mple.com", "a@" + String(repeating: "b", count: 64) + ".com"] {
            #expect(EmailAddress.validated(raw) == nil, "\(raw)")
        }
        for raw in ["ann+tickets@mail-1.example.com", "jürgen@bücher.de", "用户@例子.广告", "o'brien@example.ie"] {
            #expect(EmailAddress.validated(raw) == raw, "\(raw)")
        }
    }
}
