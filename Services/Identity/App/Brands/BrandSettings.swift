import Contracts

/// Portal toggles and colors of a brand (Settings → Brands → Portal), with the documented defaults.
public struct PortalOptions: Codable, Sendable, Equatable {
    public var displayLiveChat = true
    public var displaySocialNetworkLinks = true
    public var displaySendTicketListByEmail = true
    public var enableLoginForm = true
    public var enableNewUserRegistration = true
    public var enableGravatar = false
    public var enableKBVoting = false
    public var privacyPolicyEnabled = false
    public var privacyPolicyURL: String?
    public var primaryColor = "#F1F1F1"
    public var secondaryColor = "#BBBBBB"
    public var primaryButtonColor = "#3A87AD"
    public var secondaryButtonColor = "#666666"
    public var buttonTextColor = "#FFFFFF"
    public var contentBackgroundColor = "#FFFFFF"
    public var navigationBarColor = "#545454"
    public var textColor = "#333333"
    public var linkColor = "#006693"
    public var customCSS = ""

    public init() {}
}

/// Portal-side role gates (Settings → Brands → Permissions); a value is a role name or "Nobody".
public struct PortalPermissions: Codable, Sendable, Equatable {
    public var viewCommunity = "Everyone"
    public var createCommunityThreads = "Registered User"
    public var minimumPostsToPostLinks = 3
    public var postLinksInPortal = "Registered User with Verified Email"
    public var viewTicketRequires = "Registered User"
    public var viewNewsRequires = "Everyone"
    public var viewKBArticlesRequires = "Everyone"
    public var usersCanChangeDisplayName = true
    public var usersCanChangeEmailAddress = true
    public var usersCanChangePassword = true
    public var usersCanChangeProfile = true
    public var usersCanUploadAvatars = false
    public var newFeedbackStartsModerated = true
    public var requireAvatarApproval = false

    public init() {}

    /// Every role-valued field, for validation against the role list.
    public var roleGates: [(field: String, role: String)] {
        [("viewCommunity", viewCommunity), ("createCommunityThreads", createCommunityThreads), ("postLinksInPortal", postLinksInPortal),
         ("viewTicketRequires", viewTicketRequires), ("viewNewsRequires", viewNewsRequires),
         ("viewKBArticlesRequires", viewKBArticlesRequires)]
    }
}

/// Everything about a brand beyond its name and hostnames: the Options, Permissions, Portal, Business Hours,
/// Holidays and Custom Messages tabs. Read with `MergePatch.decode(_:over:)`, changed by merge patch.
public struct BrandSettings: Codable, Sendable, Equatable {
    public var companyWebsite: String?
    public var defaultFont = "Arial"
    public var displayLogoOnPortal = true
    public var permissions = PortalPermissions()
    public var portal = PortalOptions()
    /// Business hours, holidays and the brand's time zone (the seed follows the installation's zone; brands
    /// may override it).
    public var businessHours = BusinessSchedule.standard
    public var mainPortalAnnouncement = ""
    public var additionalPortalFooter = ""

    public init() {}
}
