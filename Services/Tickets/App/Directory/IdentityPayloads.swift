import Foundation

/// What tickets reads from `identity.events`: only the fields it keeps (a tolerant reader, so identity may add
/// fields freely).
enum IdentityPayloads {
    struct TicketSettings: Decodable {
        var newTicketsInPortal: String?
        var customFieldTemplateID: String?
        var requireResolutionToClose: Bool?
        var requireAllTasksCompletedToClose: Bool?
        var autoCloseEnabled: Bool?
        var autoCloseAfterHours: Int?
        var autoLockEnabled: Bool?
        var autoLockAfterHours: Int?
        var autoDeleteEnabled: Bool?
        var autoDeleteAfterDays: Int?
        var includeTicketsWithResolutionsInAutoDelete: Bool?
        var notifyCustomerOnAutoClose: Bool?
        var requireVerifiedEmailToStartTickets: Bool?
        var surveyToOfferWhenClosed: String?
        var searchKnowledgeBaseBeforeSubmission: Bool?
        var messageBeforeSubmission: String?
        var messageAfterSubmission: String?
    }

    struct DepartmentSettings: Decodable {
        var tickets: TicketSettings?
        var timeLogsBillableByDefault: Bool?
        var allowOutsideManagersToView: Bool?
        var allowAllAgentsAdvancedSearch: Bool?
    }

    struct Department: Decodable {
        var id: String
        var brandID: String
        var name: String
        var frontLineGroupID: String
        var hiddenFromPortal: Bool?
        /// A language tag (`en`, `pt-BR`): the language of the department's tickets.
        var language: String?
        var settings: DepartmentSettings?
        var version: Int?
    }

    struct DepartmentDeleted: Decodable {
        var departmentID: String
        var groupIDs: [String]
        var moveItemsTo: String?
    }

    struct Group: Decodable {
        var id: String
        var departmentID: String
        var name: String
    }

    struct GroupDeleted: Decodable {
        var groupID: String
        var departmentID: String?
    }

    struct Membership: Decodable {
        var groupID: String
        var departmentID: String
        var userID: String
        var ticketHandling: String
        var maxTickets: Int?
        var excludedChannels: [String]
        var ticketsActive: Bool
    }

    struct MembershipRemoved: Decodable {
        var groupID: String
        var userID: String
    }

    struct StatusChanged: Decodable {
        var userID: String
        var groupID: String
        var channel: String
        var active: Bool
        /// An auto-inactivation in a group with "Hand-off on Auto-Inactive".
        var handOff: Bool?
    }

    /// `agent.signed_in` / `agent.signed_out`: the agent and the groups they belong to.
    struct AgentSession: Decodable {
        var userID: String
        var groupIDs: [String]
        /// On `agent.signed_out`: the agent chose to hand off their tickets.
        var handOff: Bool?
        /// On `agent.signed_out`: another session of theirs is still open.
        var stillSignedIn: Bool?
    }

    struct UserChanged: Decodable {
        var userID: String
        var email: String?
        var emailVerified: Bool?
        var displayName: String?
        var maxTickets: Int?
        /// The Contact Info numbers, normalized; absent from events older than them.
        var phones: [String]?
    }

    /// `organization.created`, `.updated`, `.deleted`: an organization with its member filters.
    struct Organization: Decodable {
        struct Member: Decodable {
            var kind: String
            var value: String
            var viewOrganizationTickets: Bool
        }

        var id: String
        var members: [Member]
        var version: Int
    }

    /// `user.registered`: a portal sign-up.
    struct Registered: Decodable {
        var id: String
        var email: String
        var displayName: String?
    }

    /// `user.email_verified`: the user confirmed this address.
    struct EmailVerified: Decodable {
        var userID: String
        var email: String
    }

    /// `user.comment_added` (and `organization.comment_added`, which tickets ignores): a comment agents keep on a user.
    struct CommentAdded: Decodable {
        var id: String
        var subjectKind: String
        var subjectID: String
        var authorID: String?
        var body: String
        var sticky: Bool
        var createdAt: Date
    }

    /// `user.comment_changed` (`sticky` "true" or "false") and `user.comment_deleted` (`sticky` empty).
    struct CommentChanged: Decodable {
        var commentID: String
        var sticky: String
    }

    /// The part of `brand.settings_changed` (the brand's whole settings document) tickets reads.
    struct BrandSettingsChanged: Decodable {
        struct Settings: Decodable { var permissions: Permissions?; var portal: Portal? }
        struct Permissions: Decodable { var viewTicketRequires: String? }
        struct Portal: Decodable { var privacyPolicyEnabled: Bool?; var privacyPolicyURL: String? }
        var brandID: String
        var settings: Settings
        var version: Int
    }

    struct Envelope<P: Decodable>: Decodable {
        var data: P
    }
}
