import Auth
import Contracts
import Fleet
import IdentityApp
import ServiceKit

let runtime = try FleetRuntime(service: .identity)
let tokens = try await TokenService.fromEnvironment(runtime.configuration.environment)
let hasher = PasswordHasher(cost: UInt8(clamping: try runtime.configuration.environment.int("CONCIERGE_BCRYPT_COST", default: 10)))
let router = runtime.makeRouter()
IdentityAPI(database: runtime.database, tokens: tokens, hasher: hasher).addRoutes(to: router)
try await runtime.run(router: router, migrations: IdentityMigrations.all, topics: [ServiceName.identity.eventsTopic])
