import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Departments and their groups under `/api/v1/identity`: read by members (managers: their departments,
/// agents: their groups), created, edited (JSON merge patch with If-Match, people custom field values among the
/// rest), cloned and deleted by a system administrator.
public struct DepartmentController: Sendable {
    let structure: StructureRepository
    let brands: BrandRepository
    let roles: RoleRepository
    let peopleFields: PeopleFieldRepository

    public init(structure: StructureRepository, brands: BrandRepository, roles: RoleRepository, peopleFields: PeopleFieldRepository) {
        self.structure = structure
        self.brands = brands
        self.roles = roles
        self.peopleFields = peopleFields
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("departments", use: create)
        group.get("departments", use: list)
        group.get("departments/{id}") { _, context in
            let department = try await readableDepartment(context)
            return EditedResponse(headers: [.eTag: IfMatch.etag(department.version)], response: department)
        }
        group.patch("departments/{id}", use: update)
        group.delete("departments/{id}", use: delete)
        group.post("departments/{id}/clone", use: clone)
        group.get("departments/{id}/groups", use: listGroups)
        group.post("departments/{id}/groups", use: createGroup)
        group.get("groups/{id}") { _, context in
            let caller = try await StructureCaller.load(context, structure: structure)
            let found = try await existingGroup(context)
            guard caller.canRead(found) else { throw Problem.forbidden("You may not see this group.") }
            return EditedResponse(headers: [.eTag: IfMatch.etag(found.version)], response: found)
        }
        group.patch("groups/{id}", use: updateGroup)
        group.delete("groups/{id}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            try await structure.deleteGroup(try StructureController.id(context, "id"))
            return Response(status: .noContent)
        }
    }

    @Sendable func create(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Department> {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        let bytes = try await request.jsonBytes(context: context)
        let body = try JSONBody.decode(CreateDepartmentRequest.self, from: bytes)
        let name = try StructureController.name(body.name)
        let brandID = try await knownBrand(body.brandID)
        if let language = body.language, !UserProfileRules.isLanguageTag(language) {
            throw Problem.unprocessable("language must be a language tag.", errors: [.init(field: "language", message: "not a language tag")])
        }
        let settings = DepartmentRules.madeSafe(try Self.settings(in: bytes))
        let roleNames = Set(try await roles.all().map(\.name))
        let (department, _) = try await structure.createDepartment(body, name: name, brandID: brandID, settings: settings) { department in
            try DepartmentRules.validate(department, departmentGroupIDs: [department.frontLineGroupID], roleNames: roleNames)
        }
        return EditedResponse(status: .created, headers: [.eTag: IfMatch.etag(department.version)], response: department)
    }

    /// A new department's settings: the defaults, with the body's `settings` object merged onto them as a PATCH
    /// merges it, so a department can be created with its Tickets tab filled in.
    static func settings(in body: Data) throws -> DepartmentSettings {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let given = object["settings"] else {
            return DepartmentSettings()
        }
        guard given is [String: Any] else {
            throw Problem.unprocessable("settings must be an object.", errors: [.init(field: "settings", message: "must be an object")])
        }
        struct Settings: Codable { var settings = DepartmentSettings() }
        return try MergePatch.apply(try JSONSerialization.data(withJSONObject: ["settings": given]), to: Settings()).settings
    }

    /// `?brandID=` filters; `?limit=&cursor=` pages by name.
    @Sendable func list(_ request: Request, context: ServiceRequestContext) async throws -> Page<Department> {
        let caller = try await StructureCaller.load(context, structure: structure)
        let brandID = try request.uri.queryParameters["brandID"].map { text -> UUID in
            guard let id = UUID(parsing: String(text)) else { throw Problem.badRequest("brandID must be a brand id.") }
            return id
        }
        return try await structure.departments(brandID: brandID, visibleTo: caller.visibleDepartments, page: try PageRequest(request))
    }

    @Sendable func update(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Department> {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        let id = try StructureController.id(context, "id")
        let patch = Data(try await request.body.collect(upTo: context.maxUploadSize).readableBytesView)
        let roleNames = Set(try await roles.all().map(\.name))
        let fields = try await peopleFields.all()
        let updated = try await structure.updateDepartment(id, expectedVersion: try IfMatch.version(request)) { current, connection in
            var next = try MergePatch.apply(patch, to: current)
            next.id = current.id
            next.version = current.version
            next.name = next.name.trimmingCharacters(in: .whitespacesAndNewlines)
            if next.brandID != current.brandID {
                guard let brand = UUID(parsing: next.brandID), try await brands.exists(brand, on: connection) else { throw Self.unknownBrand(next.brandID) }
                next.brandID = brand.lowercased
            }
            let groupIDs = try await structure.groupIDs(in: id, on: connection)
            next.frontLineGroupID = next.frontLineGroupID.lowercased()
            next.settings = DepartmentRules.madeSafe(next.settings)
            try DepartmentRules.validate(next, departmentGroupIDs: groupIDs, roleNames: roleNames)
            next.customFields = try PeopleFieldValues.checked(next.customFields, from: current.customFields, fields: fields)
            return next
        }
        return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
    }

    /// `?moveItemsTo=<department>` hands the department's tickets, chats and call logs over; `?deleteItems=true`
    /// deletes them. One of the two is required, as the manual asks the administrator to choose.
    @Sendable func delete(_ request: Request, context: ServiceRequestContext) async throws -> Response {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        let id = try StructureController.id(context, "id")
        let target = request.uri.queryParameters["moveItemsTo"].map(String.init)
        let deleteItems = try request.queryFlag("deleteItems")
        guard (target != nil) != deleteItems else {
            throw Problem.unprocessable(
                "Say what happens to the department's tickets, live chats and call logs: moveItemsTo=<department> or deleteItems=true.",
                errors: [.init(field: "moveItemsTo", message: "required unless deleteItems=true")])
        }
        var moveTo: UUID?
        if let target {
            guard let targetID = UUID(parsing: target), targetID != id, try await structure.department(targetID) != nil else {
                throw Problem.unprocessable("moveItemsTo must be another department.", errors: [.init(field: "moveItemsTo", message: "unknown department")])
            }
            moveTo = targetID
        }
        try await structure.deleteDepartment(id, moveItemsTo: moveTo)
        return Response(status: .noContent)
    }

    /// A new department with the source's settings and a front-line group of its own.
    @Sendable func clone(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Department> {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        guard let source = try await structure.department(try StructureController.id(context, "id")) else { throw Problem.notFound("No such department.") }
        let body = try await request.decodeJSON(CloneDepartmentRequest.self, context: context)
        let brandID = try await knownBrand(body.brandID ?? source.brandID)
        let departmentID = UUIDv7.generate().uuidString.lowercased()
        let name = try StructureController.name(body.name)
        let frontLine = Group(
            id: UUIDv7.generate().uuidString.lowercased(), departmentID: departmentID, name: "\(name) Front Line",
            timeEstimates: TimeEstimates(), version: 1)
        var copy = source
        copy.id = departmentID
        copy.brandID = brandID.uuidString.lowercased()
        copy.name = name
        copy.frontLineGroupID = frontLine.id
        copy.emailAddress = nil
        copy.version = 1
        let (department, _) = try await structure.create(copy, frontLine: frontLine)
        return EditedResponse(status: .created, headers: [.eTag: IfMatch.etag(department.version)], response: department)
    }

    @Sendable func listGroups(_ request: Request, context: ServiceRequestContext) async throws -> Page<Group> {
        let caller = try await StructureCaller.load(context, structure: structure)
        let departmentID = try StructureController.id(context, "id")
        guard caller.canRead(department: departmentID.uuidString.lowercased()) else {
            throw Problem.forbidden("You belong to no group of this department.")
        }
        return try await structure.groups(
            in: departmentID, visibleTo: caller.visibleGroups(in: departmentID.uuidString.lowercased()), page: try PageRequest(request))
    }

    @Sendable func createGroup(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Group> {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        let departmentID = try StructureController.id(context, "id")
        guard try await structure.department(departmentID) != nil else { throw Problem.notFound("No such department.") }
        let body = try await request.decodeJSON(CreateGroupRequest.self, context: context)
        let group = Group(
            id: UUIDv7.generate().uuidString.lowercased(), departmentID: departmentID.uuidString.lowercased(),
            name: try StructureController.name(body.name), timeEstimates: body.timeEstimates ?? TimeEstimates(), version: 1)
        try DepartmentRules.validate(group)
        let created = try await structure.createGroup(group)
        return EditedResponse(status: .created, headers: [.eTag: IfMatch.etag(created.version)], response: created)
    }

    @Sendable func updateGroup(_ request: Request, context: ServiceRequestContext) async throws -> EditedResponse<Group> {
        _ = try Authorization.requireSystemAdministrator(context.principal)
        let patch = Data(try await request.body.collect(upTo: context.maxUploadSize).readableBytesView)
        let fields = try await peopleFields.all()
        let updated = try await structure.updateGroup(try StructureController.id(context, "id"), expectedVersion: try IfMatch.version(request)) { current in
            var next = try MergePatch.apply(patch, to: current)
            next.id = current.id
            next.departmentID = next.departmentID.lowercased()
            next.version = current.version
            next.name = next.name.trimmingCharacters(in: .whitespacesAndNewlines)
            try DepartmentRules.validate(next)
            next.customFields = try PeopleFieldValues.checked(next.customFields, from: current.customFields, fields: fields)
            return next
        }
        return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
    }

    func readableDepartment(_ context: ServiceRequestContext) async throws -> Department {
        let caller = try await StructureCaller.load(context, structure: structure)
        let id = try StructureController.id(context, "id")
        guard caller.canRead(department: id.uuidString.lowercased()) else { throw Problem.forbidden("You belong to no group of this department.") }
        guard let department = try await structure.department(id) else { throw Problem.notFound("No such department.") }
        return department
    }

    func existingGroup(_ context: ServiceRequestContext) async throws -> Group {
        guard let found = try await structure.group(try StructureController.id(context, "id")) else { throw Problem.notFound("No such group.") }
        return found
    }

    func knownBrand(_ text: String) async throws -> UUID {
        guard let id = UUID(parsing: text), try await brands.find(id) != nil else { throw Self.unknownBrand(text) }
        return id
    }

    static func unknownBrand(_ text: String) -> Problem {
        Problem.unprocessable("There is no brand \(text).", errors: [.init(field: "brandID", message: "unknown brand")])
    }
}
