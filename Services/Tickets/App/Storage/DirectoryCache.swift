import Auth
import Contracts
import Database
import Foundation

/// What nearly every request reads of tickets' directory copies (the caller's groups, the departments open to
/// outside managers or to every agent's search, the department of a new ticket, the CAPTCHA setting, a brand's portal
/// settings), kept between requests until those copies change. Triggers on `agent_groups` (memberships, not the
/// distribution counters) and `departments` notify ``channel(schema:)`` (migration 118), as do those on
/// `identity_settings` (migration 140), `templates` (migration 159: a department without a template of its own takes
/// the Default Ticket Template's) and `brand_portal_access` (migration 162); the tickets executable runs the
/// ``ChangeListener`` that empties these caches.
public struct DirectoryCache: Sendable {
    /// The department lists kept, one entry each.
    public enum DepartmentList: Hashable, Sendable {
        case openToOutsideManagers
        case searchableByAllAgents
    }

    public let memberships = NotifiedCache<UUID, [(group: UUID, department: UUID)]>()
    public let departmentLists = NotifiedCache<DepartmentList, [UUID]>(capacity: 2)
    /// Each department a new ticket names (nil: tickets knows no such department), read once per change instead of
    /// once per creation batch.
    public let departments = NotifiedCache<UUID, KnownDepartment?>()
    /// Options → Captcha from identity's settings, read by every portal submission (one entry; the trigger of
    /// migration 140 empties it with the others).
    public let captcha = NotifiedCache<Int, CaptchaCheck.Setting>(capacity: 1)
    /// Each brand's portal settings (View Ticket Requires, the privacy policy), read by the portal's requests
    /// (migration 162's trigger empties it).
    public let brandPortals = NotifiedCache<UUID, BrandPortalSettings>()

    public init() {}

    /// The caches a listener on ``channel(schema:)`` empties.
    public var caches: [any ChangeNotified] { [memberships, departmentLists, departments, captcha, brandPortals] }

    public static func channel(schema: String) -> String { ChangeListener.channel(schema: schema, topic: "directory") }
}
