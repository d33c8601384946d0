import Foundation
import ServiceKit
import Testing
import TicketsApp

@Suite("Ticket numbers, status rules and safe HTML")
struct TicketRulesTests {
    @Test("A ticket number is 3-8-4 upper-case hex whose middle part is the seconds since 2000-01-01 UTC")
    func numberShape() throws {
        let date = try #require(ISO8601DateFormatter().date(from: "2022-01-25T21:51:06Z"))
        let number = TicketNumber.make(sequence: 0x0B2B_0211, at: date)
        #expect(number == "B2B-29832D4A-0211")
        #expect(TicketNumber.isValid(number))
        #expect(TicketNumber.date(of: number) == date)
        #expect(!TicketNumber.isValid("b2b-29832d4a-0211"))
        let numbers = Set((0..<5_000).map { TicketNumber.make(sequence: Int64($0), at: date) })
        #expect(numbers.count == 5_000, "numbers of one second differ by their sequence")
    }

    @Test("A customer reply reopens Waiting and Closed tickets, moves on an inactive owner's, and never reopens Closed and Locked")
    func customerReplies() {
        #expect(StatusRules.customerReply(status: .waiting, ownerActive: true, pinned: false, hasOwner: true) == .active)
        #expect(StatusRules.customerReply(status: .closed, ownerActive: true, pinned: false, hasOwner: true) == .active)
        #expect(StatusRules.customerReply(status: .waiting, ownerActive: false, pinned: false, hasOwner: true) == .activeReassigned)
        #expect(StatusRules.customerReply(status: .waiting, ownerActive: false, pinned: true, hasOwner: true) == .active, "pinned stays")
        #expect(StatusRules.customerReply(status: .closedLocked, ownerActive: true, pinned: false, hasOwner: true) == .rejectedLocked)
    }

    @Test("Closing needs a resolution where the department requires one")
    func closeGuard() throws {
        #expect(throws: Problem.self) { try StatusRules.checkClose(to: .closed, requireResolution: true, hasResolution: false) }
        try StatusRules.checkClose(to: .closed, requireResolution: true, hasResolution: true)
        try StatusRules.checkClose(to: .waiting, requireResolution: true, hasResolution: false)
    }

    @Test("Message HTML keeps formatting and safe links and loses scripts, handlers and other attributes")
    func safeHTML() {
        let dirty = #"<p onclick="x()">Hi <b>there</b><script>alert(1)</script><a href="javascript:alert(1)">bad</a> <a href='https://example.com/a?b=1'>ok</a><img src=x onerror=y></p>"#
        #expect(SafeHTML.sanitize(dirty) == #"<p>Hi <b>there</b><a>bad</a> <a href="https://example.com/a?b=1" rel="noopener noreferrer nofollow">ok</a></p>"#)
        let body = SafeHTML.body(html: nil, text: "Line 1\n<tag>\n\nNext")
        #expect(body.html == "<p>Line 1<br>&lt;tag&gt;</p><p>Next</p>")
        #expect(SafeHTML.plainText("<p>A &amp; B</p><p>C</p>") == "A & B\nC")
    }
}
