import ArgumentParser

@main
struct ConciergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concierge",
        abstract: "Administers a Concierge installation (reads CONCIERGE_DATABASE_URL and CONCIERGE_KAFKA_BROKERS).",
        subcommands: [MigrateCommand.self, SeedCommand.self, CreateAdminCommand.self, CreateUserCommand.self, BrandsCommand.self, ReplayCommand.self,
            SearchBenchCommand.self, SolveCaptchaCommand.self,
        ])
}
