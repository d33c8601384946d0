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
