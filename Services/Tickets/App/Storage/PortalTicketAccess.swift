import Auth
import Contracts
import Database
import Foundation
import PostgresNIO

/// Each brand's "View Ticket Requires" (brand settings, Permissions: "the Role necessary for portal visitors to view
/// tickets in the portal"), kept from `brand.settings_changed` on `identity.events`; a brand whose settings nobody
/// changed requires the documented default, Registered User.
extension TicketStore {
    /// The role a portal visitor needs to see the tickets of `brandID` (read through the directory cache).
    public func viewTicketsRequires(brand brandID: UUID) async throws -> String {
        try await directoryCache.viewTicketsRequires.value(for: brandID) {
            var binds = PostgresBindings()
            binds.append(brandID)
            let rows = try await database.client.query(
                PostgresQuery(unsafeSQL: "SELECT view_tickets_requires FROM \(database.table("brand_portal_access")) WHERE brand_id = $1", binds: binds),
                logger: database.logger)
            for try await requirement in rows.decode(String.self) { return requirement }
            return PredefinedRoles.registeredUser
        }
    }

    /// Keeps the requirement of a settings version newer than the one kept.
    func rememberBrandSettings(_ changed: IdentityPayloads.BrandSettingsChanged, on connection: PostgresConnection) async throws {
        guard let brand = UUID(parsing: changed.brandID) else { return }
        var binds = PostgresBindings()
        binds.append(brand)
        binds.append(changed.settings.permissions?.viewTicketRequires ?? PredefinedRoles.registeredUser)
        binds.append(changed.version)
        try await connection.query(
            PostgresQuery(unsafeSQL: """
                INSERT INTO \(database.table("brand_portal_access")) AS kept (brand_id, view_tickets_requires, version) VALUES ($1, $2, $3)
                ON CONFLICT (brand_id) DO UPDATE SET view_tickets_requires = $2, version = $3 WHERE kept.version < $3
                """, binds: binds), logger: database.logger
        ).consume()
    }
}
