import Auth
import Contracts
import Database
import Foundation
import PostgresNIO
import ServiceKit

/// Each brand's ``BrandPortalSettings``, kept from `brand.settings_changed` on `identity.events` (the newest settings
/// version wins); a brand whose settings nobody changed has the documented defaults.
extension TicketStore {
    /// The portal settings of `brandID` (read through the directory cache).
    public func portalSettings(brand brandID: UUID) async throws -> BrandPortalSettings {
        try await directoryCache.brandPortals.value(for: brandID) {
            var binds = PostgresBindings()
            binds.append(brandID)
            let rows = try await database.client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT view_tickets_requires, privacy_policy_url FROM \(database.table("brand_portal_access")) WHERE brand_id = $1",
                    binds: binds),
                logger: database.logger)
            for try await (requirement, privacyPolicy) in rows.decode((String, String?).self) {
                return BrandPortalSettings(viewTicketsRequires: requirement, privacyPolicyURL: privacyPolicy)
            }
            return BrandPortalSettings()
        }
    }

    /// Keeps the settings of a version no older than the one kept (the same version announced again applies again).
    func rememberBrandSettings(_ changed: IdentityPayloads.BrandSettingsChanged, on connection: PostgresConnection) async throws {
        guard let brand = UUID(parsing: changed.brandID) else { return }
        let portal = changed.settings.portal
        var binds = PostgresBindings()
        binds.append(brand)
        binds.append(changed.settings.permissions?.viewTicketRequires ?? PredefinedRoles.registeredUser)
        binds.append(changed.version)
        binds.append(portal?.privacyPolicyEnabled == true ? portal?.privacyPolicyURL?.nonEmptyText : nil)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("brand_portal_access")) AS kept (brand_id, view_tickets_requires, version, privacy_policy_url)
                VALUES ($1, $2, $3, $4)
                ON CONFLICT (brand_id) DO UPDATE SET view_tickets_requires = $2, version = $3, privacy_policy_url = $4 WHERE kept.version <= $3
                """, binds: binds), logger: database.logger
        ).consume()
    }
}
