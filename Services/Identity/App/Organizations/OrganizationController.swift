import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension Organization: ResponseEncodable {}

/// Organizations under `/api/v1/identity/organizations`, each action checked against the Users/Organizations
/// feature permission of the caller's roles.
public struct OrganizationController: Sendable {
    let organizations: OrganizationRepository

    public init(organizations: OrganizationRepository) {
        self.organizations = organizations
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("organizations") { request, context in
            try Authorization.require(context.principal, .usersOrganizations, FeatureCatalog.view)
            return try await organizations.list(try PageRequest(request), query: request.uri.queryParameters["query"].map(String.init))
        }
        group.post("organizations") { request, context in
            try Authorization.require(context.principal, .usersOrganizations, "Create User/Organization")
            let details = try await request.decodeJSON(OrganizationDetails.self, context: context)
            let blank = Organization(
                id: UUIDv7.generate().uuidString.lowercased(), name: "", website: nil, phone: nil, employees: nil, address1: nil, address2: nil,
                city: nil, state: nil, postalCode: nil, country: nil, members: [], version: 1)
            let created = try await organizations.save(try Self.apply(details, to: blank, requireName: true), creating: true)
            return EditedResponse(status: .created, headers: [.eTag: IfMatch.etag(created.version)], response: created)
        }
        group.get("organizations/{id}") { _, context in
            try Authorization.require(context.principal, .usersOrganizations, FeatureCatalog.view)
            let found = try await organization(context)
            return EditedResponse(headers: [.eTag: IfMatch.etag(found.version)], response: found)
        }
        group.patch("organizations/{id}") { request, context in
            try Authorization.require(context.principal, .usersOrganizations, "Edit User/Organization")
            guard let text = context.parameters.get("id"), let id = UUID(parsing: text) else { throw Problem.notFound("No such organization.") }
            let details = try await request.decodeJSON(OrganizationDetails.self, context: context)
            let updated = try await organizations.update(id, expectedVersion: try IfMatch.version(request)) { current in
                try Self.apply(details, to: current, requireName: false)
            }
            return EditedResponse(headers: [.eTag: IfMatch.etag(updated.version)], response: updated)
        }
        group.delete("organizations/{id}") { _, context in
            try Authorization.require(context.principal, .usersOrganizations, "Delete Organization")
            try await organizations.delete(try await organization(context))
            return Response(status: .noContent)
        }
        group.post("organizations/{id}/members") { request, context in
            try Authorization.require(context.principal, .usersOrganizations, "Create Organization Member")
            let current = try await organization(context)
            let (kind, value, viewTickets) = try OrganizationRules.normalize(try await request.decodeJSON(NewOrganizationMember.self, context: context))
            return EditedResponse(
                status: .created, response: try await organizations.addMember(to: current, kind: kind, value: value, viewTickets: viewTickets))
        }
        group.delete("organizations/{id}/members/{memberID}") { _, context in
            try Authorization.require(context.principal, .usersOrganizations, "Delete Organization Member")
            guard let text = context.parameters.get("memberID"), let memberID = UUID(parsing: text) else { throw Problem.notFound("No such member.") }
            return try await organizations.removeMember(memberID, from: try await organization(context))
        }
        group.get("organizations/{id}/users") { _, context in
            try Authorization.require(context.principal, .usersOrganizations, FeatureCatalog.view)
            return Items(items: try await organizations.matchedUsers(try await organization(context)))
        }
    }

    private func organization(_ context: ServiceRequestContext) async throws -> Organization {
        guard let text = context.parameters.get("id"), let id = UUID(parsing: text), let found = try await organizations.find(id) else {
            throw Problem.notFound("No such organization.")
        }
        return found
    }

    static func apply(_ details: OrganizationDetails, to organization: Organization, requireName: Bool) throws -> Organization {
        var updated = organization
        if let name = details.name ?? (requireName ? "" : nil) {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(trimmed.unicodeScalars.count) else {
                throw Problem.unprocessable("An organization needs a name of 1 to 200 characters.", errors: [.init(field: "name", message: "1...200 characters")])
            }
            updated.name = trimmed
        }
        if let website = details.website?.trimmingCharacters(in: .whitespacesAndNewlines) {
            guard website.isEmpty || UserProfileRules.isWebURL(website) else {
                throw Problem.unprocessable("An organization's website is an http(s) URL.", errors: [.init(field: "website", message: "must be an http(s) URL")])
            }
            updated.website = website.isEmpty ? nil : website
        }
        updated.phone = details.phone ?? updated.phone
        updated.employees = details.employees ?? updated.employees
        updated.address1 = details.address1 ?? updated.address1
        updated.address2 = details.address2 ?? updated.address2
        updated.city = details.city ?? updated.city
        updated.state = details.state ?? updated.state
        updated.postalCode = details.postalCode ?? updated.postalCode
        updated.country = details.country ?? updated.country
        return updated
    }
}
