import Auth
import Database
import Foundation
import HTTPTypes
import HummingbirdTesting
import IdentityApp
import Testing
import TestSupport

@Suite("Brand settings and logos", .serialized, .enabled(if: TestEnvironment.hasDatabase))
struct BrandSettingsAPITests {
    let api = IdentityAPITests()

    /// A PNG header of the given size: the signature and an IHDR chunk are all the size reader needs.
    static func png(width: Int, height: Int) -> [UInt8] {
        func be32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + be32(width) + be32(height) + [8, 6, 0, 0, 0]
    }

    @Test("Settings start at the documented defaults and change by merge patch: time zone, closed days, holidays, portal colors, the portal's HTML made safe")
    func mergePatch() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let brand = try #require(try await BrandRepository(database: database).find(hostname: "demo.localhost"))
            let path = "/api/v1/identity/brands/\(brand.id.uuidString.lowercased())/settings"
            let (read, headers, initial) = try await IdentityAPITests.send(client, .get, path, token: admin, body: "")
            #expect(read == .ok)
            let settings = try #require(initial["settings"] as? [String: Any])
            #expect((settings["portal"] as? [String: Any])?["primaryButtonColor"] as? String == "#3A87AD")
            #expect((settings["permissions"] as? [String: Any])?["minimumPostsToPostLinks"] as? Int == 3)
            let etag = try #require(headers[.eTag])
            let patch = ##"{"businessHours":{"timeZone":"America/New_York","friday":null,"saturday":{"start":"10:00","end":"14:00"},"holidays":[{"date":"2026-12-25","name":"Christmas"}]},"portal":{"linkColor":"#112233"}}"##
            let (changed, changedHeaders, body) = try await IdentityAPITests.exchange(
                client, .patch, path, token: admin, headers: [.ifMatch: etag, .contentType: "application/merge-patch+json"], bytes: Array(patch.utf8))
            #expect(changed == .ok)
            #expect(changedHeaders[.eTag] == "\"2\"")
            let hours = try #require((IdentityAPITests.object(body)["settings"] as? [String: Any])?["businessHours"] as? [String: Any])
            #expect(hours["timeZone"] as? String == "America/New_York")
            #expect(hours["friday"] is NSNull, "a closed day")
            #expect((hours["monday"] as? [String: Any])?["start"] as? String == "08:00", "untouched days keep their hours")
            let (_, _, reread) = try await IdentityAPITests.send(client, .get, path, token: admin, body: "")
            let stored = try #require((reread["settings"] as? [String: Any])?["businessHours"] as? [String: Any])
            #expect(stored["friday"] is NSNull, "a closed day stays closed when read back over the defaults")
            #expect(try await IdentityAPITests.lastEventData("brand.settings_changed", database)["version"] as? Int == 2)
            let (stale, _, _) = try await IdentityAPITests.exchange(
                client, .patch, path, token: admin, headers: [.ifMatch: etag], bytes: Array(#"{"defaultFont":"Verdana"}"#.utf8))
            #expect(stale == .preconditionFailed)
            let (announced, _, withAnnouncement) = try await IdentityAPITests.exchange(
                client, .patch, path, token: admin, headers: [.ifMatch: "\"2\""],
                bytes: Array(#"{"mainPortalAnnouncement":"<h2>Closed <i>Monday</i></h2><script>steal()</script>","additionalPortalFooter":"<a href=\"javascript:steal()\">Terms</a>"}"#.utf8))
            #expect(announced == .ok, "the portal's HTML is kept as safe HTML")
            let portalHTML = try #require(IdentityAPITests.object(withAnnouncement)["settings"] as? [String: Any])
            #expect(portalHTML["mainPortalAnnouncement"] as? String == "<h2>Closed <i>Monday</i></h2>")
            #expect((portalHTML["additionalPortalFooter"] as? String)?.contains("javascript") == false)
            let (publicRead, _, publicSettings) = try await IdentityAPITests.exchange(
                client, .get, "/api/v1/identity/brand/settings", token: nil, headers: [HTTPField.Name("X-Concierge-Brand-Id")!: brand.id.uuidString.lowercased()],
                bytes: [])
            #expect(publicRead == .ok, "the portal of the brand's host reads its settings without signing in")
            #expect(IdentityAPITests.object(publicSettings)["version"] as? Int == 3)
        }
    }

    @Test("Invalid settings are a 422 naming each field and change nothing; only administrators change them")
    func invalidSettings() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let agent = try await OrganizationAPITests.person(client, database, "agent@demo.localhost", roles: [PredefinedRoles.agent])
            let brand = try #require(try await BrandRepository(database: database).find(hostname: "demo.localhost"))
            let path = "/api/v1/identity/brands/\(brand.id.uuidString.lowercased())/settings"
            let cases: [(String, String)] = [
                (#"{"portal":{"primaryColor":"red"}}"#, "portal.primaryColor"),
                (#"{"businessHours":{"timeZone":"Nowhere/Land"}}"#, "businessHours.timeZone"),
                (#"{"businessHours":{"monday":{"start":"18:00","end":"09:00"}}}"#, "businessHours.monday"),
                (#"{"permissions":{"viewTicketRequires":"Gold Members"}}"#, "permissions.viewTicketRequires"),
                (#"{"displayLogoOnPortal":"yes"}"#, "displayLogoOnPortal"),
            ]
            for (patch, field) in cases {
                let (status, _, problem) = try await IdentityAPITests.send(client, .patch, path, token: admin, body: patch)
                #expect(status == .unprocessableContent, "\(patch)")
                #expect((problem["errors"] as? [[String: String]])?.first?["field"] == field, "\(patch)")
            }
            let (notObject, _, _) = try await IdentityAPITests.send(client, .patch, path, token: admin, body: "[1]")
            #expect(notObject == .badRequest)
            let (byAgent, _, _) = try await IdentityAPITests.send(client, .patch, path, token: agent, body: #"{"defaultFont":"Verdana"}"#)
            #expect(byAgent == .forbidden)
            let (_, _, unchanged) = try await IdentityAPITests.send(client, .get, path, token: admin, body: "")
            #expect(unchanged["version"] as? Int == 1)
        }
    }

    @Test("A logo larger than 500x90 is shown resized; anyone can fetch it; a non-image is 415 and an oversize upload 413")
    func logo() async throws {
        try await api.withIdentity { client, database in
            let admin = try #require(try await IdentityAPITests.signIn(client)["accessToken"] as? String)
            let brand = try #require(try await BrandRepository(database: database).find(hostname: "demo.localhost"))
            let path = "/api/v1/identity/brands/\(brand.id.uuidString.lowercased())/logo"
            let image = Self.png(width: 1000, height: 120)
            let (uploaded, _, meta) = try await IdentityAPITests.exchange(client, .put, path, token: admin, headers: [.contentType: "image/png"], bytes: image)
            #expect(uploaded == .ok)
            let info = IdentityAPITests.object(meta)
            #expect(info["width"] as? Int == 1000)
            #expect(info["displayWidth"] as? Int == 500)
            #expect(info["displayHeight"] as? Int == 60)
            let (fetched, headers, bytes) = try await IdentityAPITests.exchange(client, .get, path, token: nil, bytes: [])
            #expect(fetched == .ok)
            #expect(headers[.contentType] == "image/png")
            #expect(bytes == image)
            let (text, _, _) = try await IdentityAPITests.exchange(client, .put, path, token: admin, bytes: Array("<svg/>".utf8))
            #expect(text == .unsupportedMediaType)
            let (huge, _, _) = try await IdentityAPITests.exchange(
                client, .put, path, token: admin, bytes: image + [UInt8](repeating: 0, count: ImageRules.maximumBytes))
            #expect(huge == .contentTooLarge)
            let (removed, _, _) = try await IdentityAPITests.exchange(client, .delete, path, token: admin, bytes: [])
            #expect(removed == .noContent)
            let (none, _, _) = try await IdentityAPITests.exchange(client, .get, path, token: nil, bytes: [])
            #expect(none == .notFound)
            #expect(try await IdentityAPITests.eventTypes(database).filter { $0.hasPrefix("image.") } == ["image.changed", "image.removed"])
        }
    }
}
