import Auth
import Contracts
import Fleet
import IdentityApp
import Mail
import ServiceKit

let runtime = try FleetRuntime(service: .identity)
let tokens = try await TokenService.fromEnvironment(runtime.configuration.environment)
let hasher = PasswordHasher(cost: UInt8(clamping: try runtime.configuration.environment.int("CONCIERGE_BCRYPT_COST", default: 10)))
let router = runtime.makeRouter()
let idleSignOutMinutes = try runtime.configuration.environment.int("CONCIERGE_AGENT_IDLE_SIGN_OUT_MINUTES", default: IdleSignOut.defaultMinutes)
// A console renews its token once a lifetime; idle time shorter than two would sign working agents out and in again.
guard idleSignOutMinutes * 60 > 2 * Int(tokens.accessTokenLifetime.components.seconds) else {
    throw ConfigurationError(
        variable: "CONCIERGE_AGENT_IDLE_SIGN_OUT_MINUTES", value: String(idleSignOutMinutes),
        expected: "more minutes than two access token lifetimes (CONCIERGE_ACCESS_TOKEN_TTL_SECONDS)")
}
IdentityAPI(database: runtime.database, tokens: tokens, hasher: hasher, idleSignOutMinutes: idleSignOutMinutes).addRoutes(to: router)
let mail = MailRelay(
    store: MailOutboxStore(database: runtime.database),
    client: SMTPClient(configuration: try SMTPConfiguration.fromEnvironment(runtime.configuration.environment)),
    gate: runtime.gate, logger: runtime.logger)
let structure = StructureRepository(database: runtime.database)
let autoInactive = BatchWorker(
    "auto-inactive agents", every: .seconds(try runtime.configuration.environment.int("CONCIERGE_AUTO_INACTIVE_CHECK_SECONDS", default: 60)),
    gate: runtime.gate, logger: runtime.logger
) { try await structure.autoInactivate() }
let idleSignOut = BatchWorker("agents signed out after their sessions went unused", every: .seconds(60), gate: runtime.gate, logger: runtime.logger) {
    try await structure.signOutIdleAgents(idleMinutes: idleSignOutMinutes)
}
try await runtime.run(
    router: router, migrations: IdentityMigrations.all, topics: [ServiceName.identity.eventsTopic], services: [mail, autoInactive, idleSignOut])
