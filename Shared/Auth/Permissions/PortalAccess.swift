import Foundation
import Contracts
import ServiceKit

/// A role-valued portal requirement: a role name, "Everyone" or "Nobody". The knowledge base's brand "View KB Articles
/// Requires" and a folder's own access (per-folder permissions, seed 001, 6380), and tickets' brand "View Ticket Requires"
/// (seed 001, 5806). Employees always pass.
public enum PortalAccess {
    public static let everyone = "Everyone"
    public static let nobody = "Nobody"

    public static func admits(_ requirement: String, _ principal: Principal?, employee: Bool) -> Bool {
        employee || satisfied(by: principal).contains(requirement)
    }

    /// The requirements a visitor meets: Everyone, and each role they hold ("Nobody" never).
    public static func satisfied(by principal: Principal?) -> [String] {
        [everyone] + (principal?.roles ?? []).filter { $0 != everyone && $0 != nobody }
    }

    /// A folder's effective requirement: its own, or, when it says Everyone, its parent's.
    public static func effective(own: String, parent: String?) -> String {
        own == everyone ? parent ?? everyone : own
    }

    /// A requirement that can name a role: 1 to 60 characters as identity's role names have, without white space around
    /// them or invisible and control characters (a folder requiring such a "role" would be hidden from every visitor).
    public static func validate(_ requirement: String, field: String) throws {
        let unfit = requirement.unicodeScalars.contains { [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) }
        guard (1...60).contains(requirement.unicodeScalars.count), !unfit, requirement.trimmingCharacters(in: .whitespacesAndNewlines) == requirement else {
            throw Problem.unprocessable("\(field) is a role name, Everyone or Nobody.", errors: [.init(field: field, message: "a role name of 1 to 60 characters")])
        }
    }
}
