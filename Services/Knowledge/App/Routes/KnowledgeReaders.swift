import Auth
import Contracts
import Foundation
import ServiceKit

/// Who is asking, from the request: the brand of the host (or, for employees, `?brandID=`) and whether they are
/// an employee (any role with an access scope: agents, managers, administrators).
enum KnowledgeReaders {
    static func reader(_ context: ServiceRequestContext, brandParameter: String?) throws -> (ArticleReader, UUID) {
        let employee = Authorization.isEmployee(context.principal)
        let text = (employee ? brandParameter : nil) ?? context.brandID
        guard let text, let brand = UUID(parsing: text) else {
            throw Problem.badRequest("The knowledge base is per brand: use the brand's host (or, as an employee, ?brandID=).")
        }
        return (ArticleReader(brandID: brand.uuidString.lowercased(), employee: employee, satisfies: PortalAccess.satisfied(by: context.principal)), brand)
    }

    /// `reader(_:brandParameter:)` for reading `kind`, past the brand's portal gate: a visitor without the role the
    /// brand requires gets 401 (anonymous: sign in first) or 403.
    static func reader(
        _ context: ServiceRequestContext, brandParameter: String?, reading kind: ContentKind, gates: BrandPortalStore
    ) async throws -> (ArticleReader, UUID) {
        let (reader, brand) = try reader(context, brandParameter: brandParameter)
        guard !reader.employee else { return (reader, brand) }
        try checkGate(try await gates.gates(of: brand), kind, context.principal)
        return (reader, brand)
    }

    static func checkGate(_ gates: BrandPortal, _ kind: ContentKind, _ principal: Principal?) throws {
        try require(gates.requirement(for: kind), principal, what: kind == .article ? "this portal's knowledge base" : "this portal's news")
    }

    /// A visitor reading an article of a folder whose access is `requirement`.
    static func checkFolder(_ requirement: String, _ principal: Principal?) throws {
        try require(requirement, principal, what: "this article's folder")
    }

    /// 401 for an anonymous visitor who does not meet `requirement` (sign in first), 403 for a signed-in one.
    static func require(_ requirement: String, _ principal: Principal?, what: String) throws {
        guard !PortalAccess.admits(requirement, principal, employee: Authorization.isEmployee(principal)) else { return }
        if principal == nil { throw Problem.unauthorized("Sign in to read \(what).") }
        throw Problem.forbidden("Reading \(what) requires \(requirement), which your account does not have.")
    }

    /// The reader's language: `?language=`, else the first of Accept-Language, else English.
    static func language(_ parameter: String?, acceptLanguage: String?) throws -> String {
        if let parameter {
            let code = parameter.lowercased()
            guard ArticleRules.isLanguageCode(code) else { throw Problem.badRequest("language is a code such as en or de.") }
            return code
        }
        let first = acceptLanguage?.split(separator: ",").first?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let first, ArticleRules.isLanguageCode(first) else { return "en" }
        return String(first.split(separator: "-").first ?? "en")
    }
}
