import ArgumentParser
import Auth
import Contracts
import Database
import Foundation
import IdentityApp

struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed", abstract: "Creates the demo brands and the system administrator if they are missing.")

    func run() async throws {
        try await CommandDatabase.with(.identity) { database in
            try await MigrationRunner(database: database, migrations: IdentityMigrations.all).run()
            let api = IdentityAPI(database: database, tokens: await TokenService(secret: TokenService.developmentSecret))
            try await DemoSeed(api: api).run(logger: database.logger)
        }
        print("seeded: brands \(DemoSeed.brands.map { "\($0.name) (\($0.hostname))" }.joined(separator: ", ")); administrator \(DemoSeed.administratorEmail)")
    }
}

struct CreateAdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-admin", abstract: "Creates a system administrator, or resets an existing user's password and makes them one.")

    @OptionGroup var account: AccountOptions

    func run() async throws {
        let email = account.email
        try await account.store(defaultName: "System Administrator") { users, hash, name in
            try await users.upsertAdministrator(email: email, passwordHash: hash, displayName: name)
        }
        print("system administrator \(email) is ready")
    }
}

struct CreateUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-user", abstract: "Creates an employee with the Agent role (no administrator rights).")

    @OptionGroup var account: AccountOptions

    func run() async throws {
        let email = account.email
        try await account.store(defaultName: "Agent") { users, hash, name in
            let id = try await users.createUser(email: email, passwordHash: hash, displayName: name)
            try await users.grant([PredefinedRoles.agent], to: id)
            return id
        }
        print("user \(email) created")
    }
}

/// The options of the commands that create an account, and how they store one.
struct AccountOptions: ParsableArguments {
    @Option(help: "Email address used to sign in.") var email: String
    @Option(help: "Password (8 to 72 bytes).") var password: String
    @Option(help: "Display name.") var name: String?

    func store(
        defaultName: String, _ write: @escaping @Sendable (UserRepository, String, String) async throws -> UUID
    ) async throws {
        let (email, password, name) = (self.email, self.password, self.name ?? defaultName)
        try await CommandDatabase.with(.identity) { database in
            try await MigrationRunner(database: database, migrations: IdentityMigrations.all).run()
            try PasswordPolicy.validate(password, username: email, settings: try await SecurityRepository(database: database).settings())
            let id = try await write(UserRepository(database: database), try await PasswordHasher().hash(password), name)
            // Written outside the API: announced, so that the other services learn the account (or its new name).
            try await UserDirectory(database: database).announce(id, as: "user.updated")
        }
    }
}
