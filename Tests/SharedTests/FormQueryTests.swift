import ServiceKit
import Testing

@Suite("Form-encoded query values")
struct FormQueryTests {
    @Test("A plus is a space, %2B a plus, other escapes decoded; a missing name is nil")
    func decoding() {
        let query = "brandID=x&q=reset+password+%2Bprinter+-mac+%22two+words%22&empty="
        #expect(FormQuery.value("q", in: query) == #"reset password +printer -mac "two words""#)
        #expect(FormQuery.value("empty", in: query) == "")
        #expect(FormQuery.value("missing", in: query) == nil)
        #expect(FormQuery.value("q", in: nil) == nil)
        #expect(FormQuery.value("q", in: "q=%E2%82%AC") == "€")
    }
}
