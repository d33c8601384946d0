import Contracts
import Database
import Foundation
import PostgresNIO

/// Everything the knowledge service keeps from `identity.events`, applied in the consumer's transaction: agents'
/// departments (for canned replies assigned to one), the stale-after days of the Management Interface settings and
/// each brand's portal gates.
public struct IdentityFeed: Sendable {
    public let departments: AgentDepartments
    public let settings: KnowledgeSettingsStore
    public let gates: BrandPortalStore

    public init(database: Database) {
        self.departments = AgentDepartments(database: database)
        self.settings = KnowledgeSettingsStore(database: database)
        self.gates = BrandPortalStore(database: database)
    }

    struct Envelope<P: Decodable>: Decodable { var data: P }

    public func apply(_ type: String, _ bytes: [UInt8], on connection: PostgresConnection) async throws {
        switch type {
        case SettingsEventType.managementChanged:
            let changed = try JSONDecoder().decode(Envelope<VersionedSettings<ManagementSettings>>.self, from: Data(bytes)).data
            try await settings.apply(changed, on: connection)
        case "brand.settings_changed":
            try await gates.apply(try JSONDecoder().decode(Envelope<BrandPortalStore.BrandSettingsChanged>.self, from: Data(bytes)).data, on: connection)
        default:
            try await departments.apply(type, bytes, on: connection)
        }
    }
}
