import Foundation
import Hummingbird
import HTTPTypes
import ServiceKit
import Testing

@Suite("Problem details")
struct ProblemTests {
    @Test("A problem renders RFC 9457 fields as application/problem+json")
    func rendering() throws {
        let problem = Problem.unprocessable("Field 'name' is required.", errors: [.init(field: "name", message: "is required")])
        let response = problem.makeResponse()
        #expect(response.status == .unprocessableContent)
        #expect(response.headers[.contentType] == "application/problem+json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(problem.body)) as? [String: Any])
        #expect(object["type"] as? String == "https://concierge.dev/problems/validation-failed")
        #expect(object["status"] as? Int == 422)
        #expect(object["title"] as? String == "Validation failed")
        #expect((object["errors"] as? [[String: String]])?.first?["field"] == "name")
    }

    @Test("Malformed JSON is a 400 and a missing or mistyped field a 422 naming the field")
    func jsonBody() {
        struct Body: Decodable { var email: String; var count: Int }
        #expect(throws: Problem.badRequest("The request body is not valid JSON.")) {
            try JSONBody.decode(Body.self, from: Data("{\"email\":".utf8))
        }
        do {
            _ = try JSONBody.decode(Body.self, from: Data(#"{"email":"a@b.c"}"#.utf8))
            Issue.record("expected 422")
        } catch let problem as Problem {
            #expect(problem.status == .unprocessableContent)
            #expect(problem.errors.first?.field == "count")
        } catch { Issue.record("unexpected \(error)") }
        do {
            _ = try JSONBody.decode(Body.self, from: Data(#"{"email":"a@b.c","count":"many"}"#.utf8))
            Issue.record("expected 422")
        } catch let problem as Problem {
            #expect(problem.status == .unprocessableContent)
            #expect(problem.errors.first?.field == "count")
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test("A time before 1900 or after 9999 is a 422 naming its field; times between are read as sent")
    func timesOutOfRange() throws {
        struct Body: Decodable { var at: Date }
        for text in ["0000-01-01T00:00:00Z", "1582-10-04T00:00:00Z", "1899-12-31T23:59:59Z", "10000-01-01T00:00:00Z"] {
            #expect(throws: Problem.self, "\(text)") { _ = try JSONBody.decode(Body.self, from: Data(#"{"at":"\#(text)"}"#.utf8)) }
        }
        do {
            _ = try JSONBody.decode(Body.self, from: Data(#"{"at":"0000-01-01T00:00:00Z"}"#.utf8))
        } catch let problem as Problem {
            #expect(problem.status == .unprocessableContent)
            #expect(problem.errors.first?.field == "at")
        }
        #expect(try JSONBody.decode(Body.self, from: Data(#"{"at":"1900-01-01T00:00:00Z"}"#.utf8)).at == Date(timeIntervalSince1970: -2_208_988_800))
        #expect(try JSONBody.decode(Body.self, from: Data(#"{"at":"9999-12-31T23:59:59.5Z"}"#.utf8)).at < Date(timeIntervalSince1970: 253_402_300_800))
        #expect(DateInput.parse("0000-01-01") == nil)
        #expect(DateInput.parse("2026-12-01")?.wholeDay == true)
    }

    @Test("A date or time that is not on the calendar or the clock (February 30th, 25:61, a one-digit month) is refused, not moved to another day")
    func impossibleTimes() throws {
        struct Body: Decodable { var at: Date }
        let impossible = [
            "2026-02-30T00:00:00Z", "2025-02-29T12:00:00Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01T25:00:00Z",
            "2026-01-01T23:61:00Z", "2026-01-01T23:59:61Z", "2026-01-01T10:00:00+25:00", "2026-1-1T00:00:00Z", "2026-01-01T10:00:00",
        ]
        for text in impossible {
            #expect(throws: Problem.self, "\(text)") { _ = try JSONBody.decode(Body.self, from: Data(#"{"at":"\#(text)"}"#.utf8)) }
            #expect(DateInput.parse(text) == nil, "\(text)")
        }
        for day in ["2026-02-30", "2026-1-1", "2026-00-10", "2026-12-32"] { #expect(DateInput.parse(day) == nil, "\(day)") }
        #expect(try JSONBody.decode(Body.self, from: Data(#"{"at":"2024-02-29T23:59:59.250+01:00"}"#.utf8)).at == Date(timeIntervalSince1970: 1_709_247_599.25))
        #expect(DateInput.parse("2024-02-29")?.date == Date(timeIntervalSince1970: 1_709_164_800))
        #expect(DateInput.parse("2026-12-01T09:30:00Z")?.wholeDay == false)
    }

    @Test("Text holding NUL, which PostgreSQL's text cannot keep, is a 400; the six characters \\u0000 as text are kept")
    func nulInJSON() throws {
        struct Body: Decodable { var name: String }
        let nuls = [
            #"{"name":"a\u0000b"}"#, #"{"name":"a\\\u0000b"}"#, #"{"\u0000":1,"name":"x"}"#, #"{"name":"\"\u0000"}"#,
            #"{"name":"\\\\\u0000"}"#, #"{"name":"x","n":["\u0000"]}"#, #"{"name":"\u00000"}"#,
        ]
        for nul in nuls {
            #expect(throws: Problem.self, "\(nul)") { try JSONBody.decode(Body.self, from: Data(nul.utf8)) }
        }
        #expect(try JSONBody.decode(Body.self, from: Data(#"{"name":"a\\u0000b"}"#.utf8)).name == #"a\u0000b"#)
        #expect(try JSONBody.decode(Body.self, from: Data(#"{"name":"\\\\u0000"}"#.utf8)).name == #"\\u0000"#)
        #expect(try JSONBody.decode(Body.self, from: Data(#"{"name":"a\u0001b"}"#.utf8)).name == "a\u{1}b")
    }
}
