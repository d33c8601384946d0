import Auth
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

extension TicketAttachment: ResponseEncodable {}
extension PendingUpload: ResponseEncodable {}

/// Attachments under `/api/v1/tickets/{id}/attachments`: agents (Add Attachment) and the ticket's customer upload
/// (`?filename=`, the body is the file; an `Idempotency-Key` makes a retry answer the file the first upload wrote);
/// isInternal attachments are for agents and hidden from customers. `POST …/uploads` keeps a file for a ticket not
/// created yet: a signed-in user's, or a portal visitor's, whose upload answers the claim their submission names.
public struct AttachmentController: Sendable {
    let store: TicketStore
    let policy: AttachmentPolicy
    let anonymousUploads: AnonymousUploads
    let access: TicketRequestAccess

    public init(store: TicketStore, policy: AttachmentPolicy, anonymousUploads: AnonymousUploads = .standard) {
        self.store = store
        self.policy = policy
        self.anonymousUploads = anonymousUploads
        self.access = TicketRequestAccess(store: store)
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("uploads") { request, context in
            guard let caller = try await access.caller(context, required: false) else {
                let (filename, contentType, body) = try await checkedFile(request, byAgent: false)
                let address = AnonymousUploads.bucket(context.clientAddress ?? context.remoteAddress?.ipAddress ?? "unknown")
                return EditedResponse(
                    status: .created,
                    response: try await store.anonymousUpload(filename: filename, contentType: contentType, bytes: body, from: address, limits: anonymousUploads))
            }
            guard let uploader = UUID(parsing: caller.principal.userID) else { throw Problem.unauthorized("Sign in to attach files.") }
            if caller.isAgent { try Authorization.require(caller.principal, .tickets, "Add Attachment") }
            let (filename, contentType, body) = try await checkedFile(request, byAgent: caller.isAgent)
            return EditedResponse(status: .created, response: try await store.upload(filename: filename, contentType: contentType, bytes: body, by: uploader))
        }
        group.post("{id}/attachments") { request, context in
            let (ticket, caller) = try await access.readable(context, for: .customer)
            let asAgent = !caller.readsAsCustomer(ticket)
            if asAgent { try Authorization.require(caller.principal, .tickets, "Add Attachment") }
            let isInternal = try request.queryFlag("internal")
            guard !isInternal || asAgent else { throw Problem.forbidden("Only agents add isInternal attachments.") }
            let (filename, contentType, body) = try await checkedFile(request, byAgent: asAgent)
            let actor: Actor = asAgent ? .agent(caller.principal.userID) : .customer(caller.principal.userID)
            let key = try RequestKey.attachment(
                ticketID: ticket.id, filename: filename, contentType: contentType, bytes: body.readableBytesView, isInternal: isInternal,
                header: request.headers[.idempotencyKey], caller: caller.principal.userID)
            let (updated, attachment, replayed) = try await store.attach(
                try TicketController.id(ticket.id), filename: filename, contentType: contentType, bytes: body, isInternal: isInternal, by: actor,
                expectedVersion: try IfMatch.version(request), key: key)
            var response = EditedResponse(status: .created, headers: [.eTag: updated.etag], response: attachment)
            if replayed { response.headers[TicketController.idempotentReplayed] = "true" }
            return response
        }
        group.get("{id}/attachments") { _, context in
            let (ticket, caller) = try await access.readable(context, for: .read)
            return Items(items: try await store.attachments(of: try TicketController.id(ticket.id), includingInternal: !caller.readsAsCustomer(ticket)))
        }
        group.get("{id}/attachments/{attachmentID}") { _, context in
            let (ticket, caller) = try await access.readable(context, for: .read)
            guard let text = context.parameters.get("attachmentID"), let attachmentID = UUID(parsing: text),
                let (attachment, bytes) = try await store.attachment(
                    attachmentID, of: try TicketController.id(ticket.id), includingInternal: !caller.readsAsCustomer(ticket))
            else { throw Problem.notFound("No such attachment.") }
            return Self.download(attachment, bytes)
        }
    }

    /// A file as a download: its own type, never sniffed into another, and never shown in the page.
    static func download(_ attachment: TicketAttachment, _ bytes: ByteBuffer) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: attachment.contentType, .contentDisposition: AttachmentHeaders.disposition(filename: attachment.filename),
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: ResponseBody(byteBuffer: bytes))
    }

    /// The request's body as a file under the brand's attachment policy (`?filename=`, the size limit and the
    /// uploader's extension list): its checked name, content type and bytes.
    private func checkedFile(_ request: Request, byAgent: Bool) async throws -> (String, String, ByteBuffer) {
        let policy = try await store.attachmentPolicy(policy)
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: policy.maximumBytes)
        } catch {
            throw AttachmentPolicy.tooLarge(policy.maximumBytes)
        }
        let filename = try policy.check(filename: request.uri.queryParameters["filename"].map(String.init) ?? "", size: body.readableBytes, byAgent: byAgent)
        return (filename, AttachmentHeaders.contentType(request.headers[.contentType]), body)
    }
}
