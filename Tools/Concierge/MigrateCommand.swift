import ArgumentParser
import Contracts
import Database
import IdentityApp

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Applies pending migrations of every service's schema.")

    @Option(help: "Only this service (identity, tickets, …).") var service: String?

    static func migrations(for service: ServiceName) -> [Migration] {
        switch service {
        case .identity: IdentityMigrations.all
        default: []
        }
    }

    func run() async throws {
        let services = try service.map { name in
            guard let one = ServiceName(rawValue: name) else { throw ValidationError("unknown service \(name)") }
            return [one]
        } ?? ServiceName.allCases
        for service in services {
            let applied = try await CommandDatabase.with(service) { database in
                try await MigrationRunner(database: database, migrations: Self.migrations(for: service)).run()
            }
            print("\(service.rawValue): \(applied.isEmpty ? "up to date" : "applied \(applied.map(String.init).joined(separator: ", "))")")
        }
    }
}
