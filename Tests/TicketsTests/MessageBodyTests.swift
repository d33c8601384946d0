import ServiceKit
import Testing

@testable import TicketsApp

@Suite("A message's body")
struct MessageBodyTests {
    @Test("A body of nothing but spaces, newlines or zero-width spaces is refused as empty")
    func blankBodiesAreRefused() {
        for blank in ["", "   ", "\n\t\r\n", "\u{00A0}\u{2028}\u{3000}", "\u{200B}\u{200B}", " \u{200B}\n"] {
            #expect(throws: Problem.self, "\(blank.unicodeScalars.map(\.value))") { try TicketInput.body(text: blank, html: nil) }
        }
    }

    @Test("A body with any visible character is kept as text and as safe HTML")
    func visibleBodiesAreKept() throws {
        let body = try TicketInput.body(text: " \u{200B}Hello\n", html: nil)
        #expect(body.text == " \u{200B}Hello\n")
        #expect(body.html.contains("Hello"))
    }
}
