import Contracts
import Foundation
import ServiceKit

/// A company signature (Settings → Tickets, Signatures) added to agents' replies: global when it names no brand,
/// department or group, otherwise for the most specific of those it names.
public struct TicketSignature: Codable, Sendable, Equatable {
    public var id: String
    public var brandID: String?
    public var departmentID: String?
    public var groupID: String?
    /// Safe HTML with the documented variables (`#userdisplayname#` …).
    public var html: String
    public var version: Int
}

/// `POST`/`PUT …/signatures` body.
public struct SignatureInput: Decodable, Sendable {
    public var brandID: String?
    public var departmentID: String?
    public var groupID: String?
    public var html: String
}

/// What a signature's variables stand for on one reply.
public struct SignatureValues: Sendable, Equatable {
    public var agentID: String
    public var agentEmail: String
    public var agentDisplayName: String
    public var brandName: String
    /// The brand's first hostname, for the absolute address of the agent's avatar in an email.
    public var brandHostname: String?
    public var departmentName: String
    /// `http` or `https`: how the agent reached the fleet (``PublicOrigin``), the scheme of the avatar's address.
    public var scheme: String
}

public enum SignatureRules {
    public static let maximumHTML = 20_000

    /// The signature as stored: ids checked, HTML made safe (images allowed); problems reported at once.
    public static func signature(from input: SignatureInput, id: String, version: Int) throws -> TicketSignature {
        var errors: [Problem.FieldError] = []
        func scope(_ raw: String?, _ field: String) -> String? {
            guard let raw, !raw.isEmpty else { return nil }
            guard let parsed = UUID(parsing: raw) else {
                errors.append(.init(field: field, message: "is not an id"))
                return nil
            }
            return parsed.uuidString.lowercased()
        }
        let brand = scope(input.brandID, "brandID"), department = scope(input.departmentID, "departmentID"), group = scope(input.groupID, "groupID")
        let html = SafeHTML.sanitize(input.html, media: MediaPolicy(frameHosts: [])).trimmingCharacters(in: .whitespacesAndNewlines)
        if html.isEmpty { errors.append(.init(field: "html", message: "is empty once made safe")) }
        if input.html.count > maximumHTML { errors.append(.init(field: "html", message: "at most \(maximumHTML) characters")) }
        guard errors.isEmpty else { throw Problem.unprocessable("The signature is not valid.", errors: errors) }
        return TicketSignature(id: id, brandID: brand, departmentID: department, groupID: group, html: html, version: version)
    }

    /// The signature for a reply on a ticket of `groupID` in `departmentID` of `brandID`: the most specific wins
    /// (group, then department, then brand, then the global one).
    public static func choose(_ signatures: [TicketSignature], groupID: String, departmentID: String, brandID: String) -> TicketSignature? {
        signatures.first { $0.groupID == groupID }
            ?? signatures.first { $0.groupID == nil && $0.departmentID == departmentID }
            ?? signatures.first { $0.groupID == nil && $0.departmentID == nil && $0.brandID == brandID }
            ?? signatures.first { $0.groupID == nil && $0.departmentID == nil && $0.brandID == nil }
    }

    /// The signature's HTML with its variables filled in (values escaped). `#useremail` is spelled as documented,
    /// without a closing `#`; `#username#` is the sign-in address.
    public static func render(_ html: String, _ values: SignatureValues) -> String {
        let avatar = values.brandHostname.map {
            #"<img src="\#(values.scheme)://\#($0)/api/v1/identity/users/\#(values.agentID)/avatar" alt="\#(SafeHTML.escape(values.agentDisplayName))" width="96" height="96">"#
        } ?? ""
        return [
            ("#agentavatar#", avatar), ("#userdisplayname#", SafeHTML.escape(values.agentDisplayName)), ("#username#", SafeHTML.escape(values.agentEmail)),
            ("#companyname#", SafeHTML.escape(values.brandName)), ("#departmentname#", SafeHTML.escape(values.departmentName)),
            ("#useremail#", SafeHTML.escape(values.agentEmail)), ("#useremail", SafeHTML.escape(values.agentEmail)),
        ].reduce(html) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}
