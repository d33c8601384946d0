import Auth
import Contracts
import Foundation
import Hummingbird
import ServiceKit

extension FormDefinition: ResponseEncodable {}
extension FormPage: ResponseEncodable {}
extension SentForm: ResponseEncodable {}

/// The codes of sent forms' links: whoever holds the link fills the form out without signing in.
public struct FormLinks: Sendable {
    let signer: LinkSigner

    public init(signer: LinkSigner) {
        self.signer = signer
    }

    func code(for sentFormID: UUID) -> String { signer.code(for: "form:" + sentFormID.lowercased) }

    func verifies(_ code: String, for sentFormID: UUID) -> Bool { signer.verifies(code, for: "form:" + sentFormID.lowercased) }
}

/// A ticket's Forms tab: the forms sent on it, and how many came back filled out.
public struct TicketForms: Codable, Sendable, ResponseEncodable {
    public var items: [SentForm]
    public var completed: Int
}

/// Forms (Settings → Forms, system administrators) under `/api/v1/tickets/forms`, each replaced whole with `If-Match`
/// on its version; agents list them to send one (a reply's `formID`). The customer's link opens
/// `/api/v1/tickets/sent-forms/{id}?code=`, read with GET and filled out, once, with POST.
public struct FormController: Sendable {
    let store: TicketStore
    let access: TicketRequestAccess
    let links: FormLinks

    public init(store: TicketStore, links: FormLinks) {
        self.store = store
        self.access = TicketRequestAccess(store: store)
        self.links = links
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("forms") { _, context in
            try await requireAgent(context)
            return Items(items: try await store.forms())
        }
        group.post("forms") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let input = try await request.decodeJSON(FormInput.self, context: context)
            return Self.response(try await store.saveForm(input, id: UUIDv7.generate(), expectedVersion: nil), status: .created)
        }
        group.get("forms/{formID}") { _, context in
            try await requireAgent(context)
            guard let form = try await store.form(try Self.formID(context)) else { throw Problem.notFound("No such form.") }
            return Self.response(form, status: .ok)
        }
        group.put("forms/{formID}") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            let id = try Self.formID(context)
            guard let current = try await store.form(id) else { throw Problem.notFound("No such form.") }
            let input = try await request.decodeJSON(FormInput.self, context: context)
            return Self.response(try await store.saveForm(input, id: id, expectedVersion: try IfMatch.version(request) ?? current.version), status: .ok)
        }
        group.delete("forms/{formID}") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            guard try await store.deleteForm(try Self.formID(context)) else { throw Problem.notFound("No such form.") }
            return Response(status: .noContent)
        }
        group.get("{id}/forms") { _, context in
            let (ticket, _) = try await access.readable(context, for: .agentRead)
            let sent = try await store.sentForms(ofTicket: try TicketController.id(ticket.id))
            return TicketForms(items: sent, completed: sent.count { $0.completedAt != nil })
        }
        group.get("sent-forms") { request, context in
            if let text = request.uri.queryParameters["organizationID"] {
                guard let caller = try await access.caller(context, required: true), caller.isAgent else {
                    throw Problem.forbidden("Only agents read organizations' details.")
                }
                guard let organization = UUID(parsing: String(text)) else { throw Problem.badRequest("organizationID is an organization's id.") }
                return Items(items: try await store.sentForms(toOrganization: organization, visibleTo: caller))
            }
            let (caller, email) = try await CustomerActivityController.agentAndAddress(request, context, access: access)
            return Items(items: try await store.sentForms(toCustomer: email, visibleTo: caller))
        }
        group.get("sent-forms/{sentFormID}") { request, context in
            let sent = try await sentForm(request, context)
            return FormPage(
                name: sent.form.name, fields: sent.form.fields, completedAt: sent.completedAt, thankYouHeader: sent.form.thankYouHeader,
                thankYouText: sent.form.thankYouText)
        }
        group.post("sent-forms/{sentFormID}") { request, context in
            struct Body: Decodable { var answers: [String: FormAnswer] }
            let sent = try await sentForm(request, context)
            let body = try await request.decodeJSON(Body.self, context: context)
            let completed = try await store.completeForm(try TicketController.id(sent.id), answers: body.answers)
            return EditedResponse(
                status: .created,
                response: FormPage(
                    name: completed.form.name, fields: completed.form.fields, completedAt: completed.completedAt,
                    thankYouHeader: completed.form.thankYouHeader, thankYouText: completed.form.thankYouText))
        }
    }

    /// The sent form of the path when the link's code is its own and the request came to its ticket's brand; 404
    /// otherwise, so nothing tells which was wrong.
    private func sentForm(_ request: Request, _ context: ServiceRequestContext) async throws -> SentForm {
        guard let text = context.parameters.get("sentFormID"), let id = UUID(parsing: text),
            let code = request.uri.queryParameters["code"].map(String.init), links.verifies(code, for: id),
            let sent = try await store.sentForm(id), let ticket = try await store.find(try TicketController.id(sent.ticketID)),
            context.brandID.map({ $0.lowercased() == ticket.brandID }) ?? true
        else { throw Problem.notFound("No such form.") }
        return sent
    }

    private func requireAgent(_ context: ServiceRequestContext) async throws {
        guard try await access.caller(context, required: true)?.isAgent == true else { throw Problem.forbidden("Only agents send forms.") }
    }

    static func formID(_ context: ServiceRequestContext) throws -> UUID {
        try context.uuidParameter("formID", notFound: "No such form.")
    }

    static func response(_ form: FormDefinition, status: HTTPResponse.Status) -> EditedResponse<FormDefinition> {
        EditedResponse(status: status, headers: [.eTag: IfMatch.etag(form.version)], response: form)
    }
}
