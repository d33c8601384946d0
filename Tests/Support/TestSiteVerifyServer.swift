import Foundation
import Hummingbird
import HummingbirdTesting

/// Stands in for Google reCAPTCHA's siteverify in tests, since these machines cannot reach Google: it answers the
/// protocol as Google documents it. A token of `valid` is accepted once under `secret`; sent again it is
/// `timeout-or-duplicate`; any other token is `invalid-input-response`; another secret is `invalid-input-secret`.
public enum TestSiteVerifyServer {
    /// What the server was asked, in order: each request's form fields.
    public actor Ledger {
        public private(set) var requests: [[String: String]] = []
        var spent: Set<String> = []

        func answer(_ fields: [String: String], secret: String, valid: Set<String>) -> String {
            requests.append(fields)
            guard fields["secret"] == secret else { return #"{"success":false,"error-codes":["invalid-input-secret"]}"# }
            let token = fields["response"] ?? ""
            guard valid.contains(token) else { return #"{"success":false,"error-codes":["invalid-input-response"]}"# }
            guard spent.insert(token).inserted else { return #"{"success":false,"error-codes":["timeout-or-duplicate"]}"# }
            return #"{"success":true,"challenge_ts":"2026-12-04T00:00:00Z","hostname":"demo.localhost"}"#
        }
    }

    /// Runs `body` with the server's verify URL and its ledger.
    public static func run(
        secret: String, valid: Set<String>, _ body: @escaping @Sendable (_ url: String, _ ledger: Ledger) async throws -> Void
    ) async throws {
        let ledger = Ledger()
        let router = Router()
        router.post("recaptcha/api/siteverify") { request, _ -> Response in
            let form = try await request.body.collect(upTo: 64 * 1024)
            let answer = await ledger.answer(fields(String(buffer: form)), secret: secret, valid: valid)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: answer)))
        }
        try await Application(router: router).test(.live) { client in
            guard let port = client.port else { throw TestSetupError("the siteverify stand-in has no port") }
            try await body("http://127.0.0.1:\(port)/recaptcha/api/siteverify", ledger)
        }
    }

    /// The fields of an `application/x-www-form-urlencoded` body.
    static func fields(_ form: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }
}
