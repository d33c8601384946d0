import Auth
import Database
import Foundation
import Hummingbird
import Search
import ServiceKit

/// The tickets service's routes, storage and rules wired together; used by the executable and by tests.
public struct TicketsAPI: Sendable {
    public let store: TicketStore
    public let directory: DirectoryProjection
    public let search: TicketSearch?
    /// New tickets through the API, written in batches while the database is busy (group commit).
    public let creation: GroupCommit<PendingTicket, Ticket>
    let tokens: TokenService
    let attachments: AttachmentPolicy

    /// `index` is this instance's search index; without one the search routes are absent. `metrics` (the process's)
    /// gains `tickets_creation_batches_total` by path. `creationBatches` new-ticket
    /// batches are written at once (each its own transaction). One is the default: creation is CPU-bound on the
    /// bench machine, and one batch at a time gathers twice the tickets per transaction, which cost PostgreSQL a
    /// quarter less per ticket than two overlapping batches whose commits shared the disk's waits. `viewPages`: how
    /// many list pages the store keeps (``ViewPageCache``).
    public init(
        database: Database, tokens: TokenService, index: (any TextSearching)? = nil, attachments: AttachmentPolicy = .standard, creationBatches: Int = 1,
        metrics: HTTPMetrics? = nil, viewPages: Int = ViewPageCache.defaultCapacity
    ) {
        self.attachments = attachments
        let store = TicketStore(database: database, metrics: metrics, viewPages: viewPages)
        self.store = store
        self.directory = DirectoryProjection(database: database)
        self.search = index.map { TicketSearch(index: $0, database: database, store: store) }
        self.creation = GroupCommit(maxBatch: 64, concurrentBatches: creationBatches) { await store.create(batch: $0) }
        self.tokens = tokens
    }

    /// Keeps the store's directory cache and list pages in step with the directory tables and the tickets while it
    /// runs, on one connection (``DirectoryCache``, ``ViewPageCache``).
    public func changeListener(gate: StartupGate?) -> ChangeListener {
        ChangeListener(
            database: store.database,
            subscriptions: [
                ChangeListener.Subscription(channel: DirectoryCache.channel(schema: store.database.schema), caches: store.directoryCache.caches),
                ChangeListener.Subscription(channel: ViewPageCache.channel(schema: store.database.schema), caches: store.viewPages.caches),
            ], gate: gate)
    }

    public func addRoutes(to router: Router<ServiceRequestContext>) {
        let api = router.group("/api/v1/tickets").add(middleware: AuthenticationMiddleware(tokens: tokens))
            .add(middleware: ViewPagesAfterWrites(pages: store.viewPages))
        OpenAPIDocument(resource: Bundle.module.url(forResource: "openapi", withExtension: "yaml")).addRoute(to: api)
        if let search { TicketSearchController(search: search, store: store).addRoutes(to: api) }
        TicketActionsController(store: store).addRoutes(to: api)
        RebalanceRuleController(store: store).addRoutes(to: api)
        SignatureController(store: store).addRoutes(to: api)
        QualityControlController(store: store).addRoutes(to: api)
        TicketSettingsController(documents: store.settingsDocuments).addRoutes(to: api)
        RelatedItemController(store: store).addRoutes(to: api)
        AttachmentController(store: store, policy: attachments).addRoutes(to: api)
        CustomFieldController(store: store).addRoutes(to: api)
        WorkRecordController(store: store).addRoutes(to: api)
        TaskController(store: store).addRoutes(to: api)
        TaskScheduleController(store: store).addRoutes(to: api)
        OnlineTicketController(store: store, links: tokens.links).addRoutes(to: api)
        BulkController(store: store).addRoutes(to: api)
        MessageActionsController(store: store).addRoutes(to: api)
        FormController(store: store, links: FormLinks(signer: tokens.links)).addRoutes(to: api)
        CustomerActivityController(store: store).addRoutes(to: api)
        ParkedCommandController(store: store).addRoutes(to: api)
        TicketController(store: store, search: search, creation: creation, captcha: CaptchaCheck(tokens), formLinks: FormLinks(signer: tokens.links))
            .addRoutes(to: api)
    }
}
