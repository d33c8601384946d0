import Auth
import Foundation
import IdentityApp
import ServiceKit
import Testing

@Suite("Profile, people field and image rules")
struct ProfileRulesTests {
    static func user() -> UserDetails {
        UserDetails(
            id: "u1", email: "sam@demo.localhost", displayName: "Sam", emailVerified: true, forcePasswordChange: false,
            isSystemAdministrator: false, roles: ["Everyone", "Agent"], profile: UserProfile(), customFields: [:], version: 1)
    }

    static let agentEditingSelf = ProfileEditor(isSelf: true, mayEditUsers: true, isAdministrator: false, targetIsEmployee: true)

    @Test("An agent edits their own aliases and signatures but not their chat limit")
    func adminOnlyFields() throws {
        var profile = UserProfile()
        profile.aliases = ["Support Sam"]
        profile.signatures = [Signature(name: "Short", html: "<p>Sam</p>")]
        let edited = try UserProfileRules.apply(UserUpdate(profile: profile), to: Self.user(), editor: Self.agentEditingSelf, fields: [])
        #expect(edited.profile.aliases == ["Support Sam"])
        profile.maxActiveLiveChats = 4
        #expect(throws: Problem.self) {
            try UserProfileRules.apply(UserUpdate(profile: profile), to: Self.user(), editor: Self.agentEditingSelf, fields: [])
        }
        let byAdmin = try UserProfileRules.apply(
            UserUpdate(profile: profile), to: Self.user(), editor: ProfileEditor(isSelf: false, mayEditUsers: true, isAdministrator: true), fields: [])
        #expect(byAdmin.profile.maxActiveLiveChats == 4)
    }

    @Test("Another employee's account is an administrator's to change; a portal user changes what their portal's Permissions allow")
    func whoChangesWhat() throws {
        let agentOnAdministrator = ProfileEditor(isSelf: false, mayEditUsers: true, isAdministrator: false, targetIsEmployee: true)
        #expect(throws: Problem.self) { try UserProfileRules.apply(UserUpdate(displayName: "Taken"), to: Self.user(), editor: agentOnAdministrator, fields: []) }
        #expect(throws: Problem.self) { try agentOnAdministrator.checkAvatarUpload() }
        let agentOnCustomer = ProfileEditor(isSelf: false, mayEditUsers: true, isAdministrator: false)
        #expect(try UserProfileRules.apply(UserUpdate(displayName: "Lee"), to: Self.user(), editor: agentOnCustomer, fields: []).displayName == "Lee")
        var closed = PortalPermissions()
        closed.usersCanChangeDisplayName = false
        closed.usersCanChangeEmailAddress = false
        closed.usersCanChangeProfile = false
        closed.usersCanChangePassword = false
        let customerSelf = ProfileEditor(isSelf: true, mayEditUsers: false, isAdministrator: false, portal: closed)
        #expect(throws: Problem.self) { try UserProfileRules.apply(UserUpdate(displayName: "Lee"), to: Self.user(), editor: customerSelf, fields: []) }
        #expect(throws: Problem.self) { try UserProfileRules.apply(UserUpdate(email: "lee@elsewhere.example"), to: Self.user(), editor: customerSelf, fields: []) }
        var profile = Self.user().profile
        profile.aliases = ["Lee"]
        #expect(throws: Problem.self) { try UserProfileRules.apply(UserUpdate(profile: profile), to: Self.user(), editor: customerSelf, fields: []) }
        #expect(throws: Problem.self) { try customerSelf.checkPasswordChange() }
        #expect(throws: Problem.self) { try customerSelf.checkAvatarUpload() }
        let allowing = ProfileEditor(isSelf: true, mayEditUsers: false, isAdministrator: false)
        try allowing.checkPasswordChange()
        var pictured = Self.user().profile
        pictured.avatarURL = "https://pictures.example/me.png"
        #expect(throws: Problem.self, "an avatar by URL is an avatar too, off by default") {
            try UserProfileRules.apply(UserUpdate(profile: pictured), to: Self.user(), editor: allowing, fields: [])
        }
        #expect(throws: Problem.self) { try allowing.checkAvatarUpload() }
        let agentSelf = ProfileEditor(isSelf: true, mayEditUsers: true, isAdministrator: false, targetIsEmployee: true, portal: closed)
        try agentSelf.checkPasswordChange()
        #expect(try UserProfileRules.apply(UserUpdate(displayName: "Me"), to: Self.user(), editor: agentSelf, fields: []).displayName == "Me")
    }

    @Test("Duplicate signature names, unknown time zones and bad language tags are each named")
    func invalidProfile() {
        var profile = UserProfile()
        profile.signatures = [Signature(name: "A", html: ""), Signature(name: "A", html: "")]
        profile.timeZone = "Europe/Atlantis"
        profile.preferredLanguage = "english"
        #expect(UserProfileRules.validate(profile).map(\.field) == ["profile.signatures", "profile.timeZone", "profile.preferredLanguage"])
    }

    @Test("People field values follow their data type and the 512-character limit")
    func customFieldValues() throws {
        func field(_ type: PeopleField.DataType) -> PeopleField {
            PeopleField(id: "f", name: "Field", dataType: type, options: ["Magazine", "TV"], defaultValue: nil)
        }
        #expect(try CustomFieldRules.normalize(" TV ", for: field(.dropdown)) == "TV")
        #expect(throws: Problem.self) { try CustomFieldRules.normalize("Radio", for: field(.dropdown)) }
        #expect(try CustomFieldRules.normalize("TRUE", for: field(.checkbox)) == "true")
        #expect(throws: Problem.self) { try CustomFieldRules.normalize("2026-02-30", for: field(.date)) }
        #expect(try CustomFieldRules.normalize("2028-02-29", for: field(.date)) == "2028-02-29")
        #expect(throws: Problem.self) { try CustomFieldRules.normalize("twelve", for: field(.number)) }
        #expect(throws: Problem.self, "a decimal number, not hexadecimal") { try CustomFieldRules.normalize("0x1p3", for: field(.number)) }
        #expect(try ["5", "5.0", "05", " +5.00 ", "5e0"].map { try CustomFieldRules.normalize($0, for: field(.number)) } == Array(repeating: "5", count: 5))
        #expect(try CustomFieldRules.normalize("-12.50", for: field(.number)) == "-12.5")
        #expect(throws: Problem.self, "39 significant digits would be stored as another number") {
            try CustomFieldRules.normalize(String(repeating: "1", count: 39), for: field(.number))
        }
        #expect(try CustomFieldRules.normalize(String(repeating: "1", count: 38) + "000.000", for: field(.number)) == String(repeating: "1", count: 38) + "000")
        #expect(try CustomFieldRules.normalize("0.000" + String(repeating: "7", count: 38), for: field(.number)) == "0.000" + String(repeating: "7", count: 38))
        for outside in ["0000-01-01", "1899-12-31"] {
            #expect(throws: Problem.self, "a day outside 1900–9999") { try CustomFieldRules.normalize(outside, for: field(.date)) }
        }
        #expect(throws: Problem.self) { try CustomFieldRules.normalize(String(repeating: "x", count: 513), for: field(.text)) }
        #expect(throws: Problem.self) { try CustomFieldRules.normalize("two\nlines", for: field(.text)) }
        let crlf = String(repeating: "x\r\n", count: 171)
        #expect(crlf.count == 342 && crlf.unicodeScalars.count == 513)
        #expect(throws: Problem.self, "counted as the database's varchar(512) counts") { try CustomFieldRules.normalize(crlf, for: field(.multilineText)) }
    }

    @Test("Image sizes are read from PNG, GIF and JPEG headers and fitted into the display box")
    func imageSizes() throws {
        #expect(try ImageRules.inspect(BrandSettingsAPITests.png(width: 640, height: 480)) == ImageInfo(contentType: "image/png", width: 640, height: 480))
        let gif = Array("GIF89a".utf8) + [0x20, 0x03, 0x5A, 0x00]
        #expect(try ImageRules.inspect(gif) == ImageInfo(contentType: "image/gif", width: 800, height: 90))
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x01, 0x2C, 0x02, 0x58, 0x03]
        #expect(try ImageRules.inspect(jpeg) == ImageInfo(contentType: "image/jpeg", width: 600, height: 300))
        #expect(ImageRules.fit(width: 1000, height: 90, maxWidth: 500, maxHeight: 90) == (500, 45))
        #expect(ImageRules.fit(width: 200, height: 50, maxWidth: 500, maxHeight: 90) == (200, 50))
    }

    @Test("A Custom grant's option stands for the level actions it names differently")
    func customOptionActions() {
        let grant = FeatureGrant.custom(["Delete a User's Profile"])
        #expect(grant.actions(on: .usersOrganizations).contains("Delete User/Organization"))
        #expect(!grant.actions(on: .usersOrganizations).contains("Edit User/Organization"))
    }
}
