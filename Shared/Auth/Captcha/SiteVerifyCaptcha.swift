import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// Google reCAPTCHA's check of an answer ("siteverify"), a protocol hCaptcha and Cloudflare Turnstile answer too. The
/// provider's widget in the portal gives the visitor's browser a token; the service posts it with the secret key and
/// takes the submission only when the provider says `"success": true`. A provider that does not answer in time, or
/// refuses the secret key, is a 503: nothing is taken, and the visitor may send it again.
public struct SiteVerifyCaptcha: Sendable {
    /// The provider's answer.
    struct Verdict: Decodable {
        var success: Bool
        var errorCodes: [String]?

        enum CodingKeys: String, CodingKey {
            case success
            case errorCodes = "error-codes"
        }
    }

    /// The provider's codes for a secret key that is missing or wrong: the installation's fault, not the visitor's.
    static let secretKeyErrors: Set = ["missing-input-secret", "invalid-input-secret"]
    /// Tokens are a few hundred bytes; anything far longer is not one.
    static let maximumResponseBytes = 8_192

    let client: HTTPClient
    let timeout: TimeAmount

    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(5)) {
        self.client = client
        self.timeout = TimeAmount(timeout)
    }

    /// Checks the token a submission sent (`response`) with `secretKey` at `url`: a 422 naming `captchaResponse` when it
    /// is missing or the provider refuses it, a 503 when the provider cannot say.
    public func verify(_ response: String?, secretKey: String, at url: String) async throws {
        guard let response, !response.isEmpty, response.utf8.count <= Self.maximumResponseBytes else {
            throw Self.refused("required: the token the CAPTCHA widget gives (g-recaptcha-response)")
        }
        let verdict = try await ask(url, form: Self.form(["secret": secretKey, "response": response]))
        if !Self.secretKeyErrors.isDisjoint(with: verdict.errorCodes ?? []) {
            throw Problem.unavailable("The CAPTCHA provider refused this site's secret key; an administrator must correct Options → Captcha.")
        }
        guard verdict.success else {
            throw Self.refused("the CAPTCHA provider did not accept this answer (it may have expired or been used); solve it again")
        }
    }

    private func ask(_ url: String, form: String) async throws -> Verdict {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let silent = Problem.unavailable("The CAPTCHA provider did not answer; send it again in a moment.")
        do {
            let answer = try await client.execute(request, deadline: .now() + timeout)
            guard answer.status == .ok else { throw silent }
            let body = try await answer.body.collect(upTo: 64 * 1024)
            return try JSONDecoder().decode(Verdict.self, from: Data(body.readableBytesView))
        } catch {
            throw silent
        }
    }

    /// `application/x-www-form-urlencoded` of `fields`, in a stable order.
    static func form(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }

    static func refused(_ message: String) -> Problem {
        Problem.unprocessable("Pass the CAPTCHA first.", errors: [.init(field: "captchaResponse", message: message)])
    }
}
