import Contracts
import Database
import Foundation
import PostgresNIO

extension TicketStore {
    /// What the directory holds about this brand, department and group (``DirectoryScope``), in one query.
    func directoryScope(brandID: String?, departmentID: String?, groupID: String?, on connection: PostgresConnection) async throws -> DirectoryScope {
        var binds = PostgresBindings()
        binds.append(brandID.flatMap(UUID.init(parsing:)))
        binds.append(departmentID.flatMap(UUID.init(parsing:)))
        binds.append(groupID.flatMap(UUID.init(parsing:)))
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT EXISTS (SELECT 1 FROM \(database.table("brands")) WHERE id = $1),
                       (SELECT brand_id FROM \(database.table("departments")) WHERE id = $2),
                       g.department_id, d.brand_id
                FROM (SELECT 1) one
                LEFT JOIN \(database.table("groups")) g ON g.id = $3
                LEFT JOIN \(database.table("departments")) d ON d.id = g.department_id
                """, binds: binds), logger: database.logger)
        for try await (brand, departmentBrand, groupDepartment, groupBrand) in rows.decode((Bool, UUID?, UUID?, UUID?).self) {
            return DirectoryScope(
                brandExists: brand, departmentBrand: departmentBrand?.lowercased, groupDepartment: groupDepartment?.lowercased,
                groupBrand: groupBrand?.lowercased)
        }
        return DirectoryScope(brandExists: false, departmentBrand: nil, groupDepartment: nil, groupBrand: nil)
    }
}
