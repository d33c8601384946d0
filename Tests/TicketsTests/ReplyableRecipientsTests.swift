import Testing
@testable import TicketsApp

@Suite("Reply recipients a mail header may carry")
struct ReplyableRecipientsTests {
    @Test("A reply keeps the addresses it may carry in mail headers, names those it leaves out, and falls back to the ticket's own, copied no more")
    func replyableRecipients() throws {
        let kept = ReplyComposer.replyable(
            (to: ["lee@customer.example"], cc: ["ops,desk@customer.example", "boss@customer.example"], bcc: ["audit@[10.0.0.1]"]),
            customerEmail: "lee@customer.example")
        #expect(kept.to == ["lee@customer.example"] && kept.cc == ["boss@customer.example"] && kept.bcc.isEmpty)
        #expect(kept.leftOut == ["ops,desk@customer.example", "audit@[10.0.0.1]"])
        let fallback = ReplyComposer.replyable((to: ["sam;x@customer.example"], cc: ["LEE@customer.example"], bcc: []), customerEmail: "lee@customer.example")
        #expect(fallback.to == ["lee@customer.example"] && fallback.cc.isEmpty && fallback.leftOut == ["sam;x@customer.example"])
        let nobody = ReplyComposer.replyable((to: ["lee@[10.0.0.1]"], cc: [], bcc: []), customerEmail: "lee@[10.0.0.1]")
        #expect(nobody.to.isEmpty && nobody.leftOut == ["lee@[10.0.0.1]"], "nobody to answer: To is the agent's to fill")
    }
}
