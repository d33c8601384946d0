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
}
