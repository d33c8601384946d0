import Testing
@testable import TicketsApp

@Suite("What a command's customer message becomes where the API would refuse it")
struct CommandInputRulesTests {
    @Test("A subject is put on one line and cut to 250 characters; an empty one reads (no subject)")
    func subjects() {
        #expect(CommandInput.subject("Printer\r\n  jam") == "Printer jam")
        #expect(CommandInput.subject("  \n ") == "(no subject)")
        #expect(CommandInput.subject(String(repeating: "é", count: 300)).count == 250)
        #expect(CommandInput.subject("Fine as it is") == "Fine as it is")
    }

    @Test("A body too long keeps its text alone when that fits, else the text cut with a note; an empty one reads (no text)")
    func bodies() {
        let quoted = "<p>" + String(repeating: "quoted thread ", count: 8_000) + "</p>"
        let kept = CommandInput.body(text: "Thanks, that fixed it.", html: quoted)
        #expect(kept.text == "Thanks, that fixed it.", "the text alone fits")
        let long = String(repeating: "word ", count: 30_000)
        let cut = CommandInput.body(text: long, html: nil)
        #expect(cut.text.count <= 100_000 && cut.text.hasSuffix("Show HTML and Raw Content.]"))
        let htmlOnly = CommandInput.body(text: nil, html: quoted)
        #expect(htmlOnly.text.contains("quoted thread") && htmlOnly.text.contains("Cut at 100,000 characters"))
        #expect(CommandInput.body(text: " \n ", html: nil).text == "(no text)")
        #expect(CommandInput.body(text: nil, html: nil).text == "(no text)")
        #expect(CommandInput.body(text: "Short.", html: nil).text == "Short.", "what the API takes stays as it is")
    }
}
