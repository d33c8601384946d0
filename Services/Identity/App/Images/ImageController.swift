import Auth
import Contracts
import Database
import Foundation
import Hummingbird
import ServiceKit

/// What an upload answers: the stored size and the size the portal shows it at.
public struct ImageMeta: Codable, Sendable, ResponseEncodable {
    public var contentType: String
    public var width: Int
    public var height: Int
    public var displayWidth: Int
    public var displayHeight: Int
    public var version: Int
}

/// Brand logos (`/brands/{id}/logo`, managed by an administrator, shown to anyone) and user avatars
/// (`/users/{id}/avatar`, changed by the user or an agent who may edit users, shown to anyone).
public struct ImageController: Sendable {
    let images: ImageStore
    let brands: BrandRepository
    let directory: UserDirectory
    let editors: AccountEditors

    /// Logos larger than 500x90 are shown resized; avatars fit 96x96.
    static let logoBox = (width: 500, height: 90)
    static let avatarBox = (width: 96, height: 96)

    public init(images: ImageStore, brands: BrandRepository, directory: UserDirectory, database: Database) {
        self.images = images
        self.brands = brands
        self.directory = directory
        self.editors = AccountEditors(roles: RoleRepository(database: database), brandSettings: BrandSettingsRepository(database: database))
    }

    public func addRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.put("brands/{id}/logo") { request, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            return try await upload(request, owner: try await brandOwner(context), box: Self.logoBox)
        }
        group.get("brands/{id}/logo") { _, context in try await download(try await brandOwner(context)) }
        group.delete("brands/{id}/logo") { _, context in
            _ = try Authorization.requireSystemAdministrator(context.principal)
            return try await remove(try await brandOwner(context))
        }
        group.put("users/{id}/avatar") { request, context in
            let owner = try await avatarOwner(context, changing: true, uploading: true)
            return try await upload(request, owner: owner, box: Self.avatarBox)
        }
        group.get("users/{id}/avatar") { _, context in try await download(try await avatarOwner(context, changing: false)) }
        group.delete("users/{id}/avatar") { _, context in try await remove(try await avatarOwner(context, changing: true)) }
    }

    func upload(_ request: Request, owner: String, box: (width: Int, height: Int)) async throws -> ImageMeta {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: ImageRules.maximumBytes)
        } catch {
            throw ImageRules.tooLarge
        }
        let bytes = Array(body.readableBytesView)
        let info = try ImageRules.inspect(bytes)
        let stored = try await images.put(owner, bytes: bytes, info: info)
        let shown = ImageRules.fit(width: info.width, height: info.height, maxWidth: box.width, maxHeight: box.height)
        return ImageMeta(
            contentType: info.contentType, width: info.width, height: info.height, displayWidth: shown.width, displayHeight: shown.height,
            version: stored.version)
    }

    func download(_ owner: String) async throws -> Response {
        guard let image = try await images.get(owner) else { throw Problem.notFound("No picture has been uploaded.") }
        return Response(
            status: .ok,
            headers: [.contentType: image.contentType, .eTag: image.etag, .cacheControl: "public, max-age=300",
                      .init("X-Content-Type-Options")!: "nosniff"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: image.bytes)))
    }

    func remove(_ owner: String) async throws -> Response {
        guard try await images.delete(owner) else { throw Problem.notFound("No picture has been uploaded.") }
        return Response(status: .noContent)
    }

    func brandOwner(_ context: ServiceRequestContext) async throws -> String {
        let id = try BrandController.brandID(context)
        guard try await brands.find(id) != nil else { throw Problem.notFound("No such brand.") }
        return "brand-logo:\(id.uuidString.lowercased())"
    }

    /// The avatar's image key; changing it is the account's own or, with Edit User/Organization, a customer's (an
    /// employee's is an administrator's); a portal user uploads their own only while their portal lets users upload
    /// avatars (removing it they may always).
    func avatarOwner(_ context: ServiceRequestContext, changing: Bool, uploading: Bool = false) async throws -> String {
        let id = try UserController.userID(context)
        let principal = changing ? try Authorization.requireSignedIn(context.principal) : nil
        guard let user = try await directory.details(id) else { throw Problem.notFound("No such user.") }
        if let principal {
            let editor = try await editors.editor(principal, of: user.id, brandID: context.brandID)
            guard editor.isSelf || editor.mayEditUsers || editor.isAdministrator else { throw Problem.forbidden("You may change only your own avatar.") }
            if uploading { try editor.checkAvatarUpload() } else { try editor.checkMayChange() }
        }
        return "avatar:\(id.uuidString.lowercased())"
    }
}
