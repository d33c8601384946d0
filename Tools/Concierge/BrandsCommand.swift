import ArgumentParser
import Contracts
import Database
import Foundation
import IdentityApp

struct BrandsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "brands", abstract: "Brands of the installation.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists every brand with its hostnames.")

        func run() async throws {
            let brands = try await CommandDatabase.with(.identity) { database in try await BrandRepository(database: database).all() }
            for brand in brands {
                print("\(brand.id.uuidString.lowercased())  \(brand.name)  \(brand.hostnames.joined(separator: ","))")
            }
        }
    }
}
