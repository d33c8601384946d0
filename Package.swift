// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let hummingbird: Target.Dependency = .product(name: "Hummingbird", package: "hummingbird")
let hummingbirdCore: Target.Dependency = .product(name: "HummingbirdCore", package: "hummingbird")
let postgres: Target.Dependency = .product(name: "PostgresNIO", package: "postgres-nio")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let nioCore: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")

/// The services that answer only health and metrics so far; each is its own executable.
let placeholderServices = ["LiveChat", "WhosOn", "Surveys", "Reporting", "Automation"]

var targets: [Target] = [
    .systemLibrary(
        name: "CRdKafka", path: "Shared/CRdKafka", pkgConfig: "rdkafka",
        providers: [.apt(["librdkafka-dev"])]),
    .target(name: "Contracts", path: "Shared/Contracts"),
    .target(
        name: "ServiceKit",
        dependencies: [
            "Contracts", hummingbird, hummingbirdCore, logging, lifecycle, nioCore, nioPosix, httpTypes,
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ],
        path: "Shared/ServiceKit"),
    .target(name: "Database", dependencies: ["ServiceKit", "Contracts", postgres, nioCore, logging, lifecycle], path: "Shared/Database"),
    .target(
        name: "EventBus",
        dependencies: ["CRdKafka", "Contracts", logging, lifecycle, .product(name: "NIOPosix", package: "swift-nio")],
        path: "Shared/EventBus"),
    .target(
        name: "Mail",
        dependencies: ["Database", "ServiceKit", postgres, lifecycle, logging, nioCore, nioPosix,
            .product(name: "NIOExtras", package: "swift-nio-extras")],
        path: "Shared/Mail"),
    .target(name: "Outbox", dependencies: ["Database", "EventBus", "ServiceKit", "Contracts", postgres, lifecycle, logging], path: "Shared/Outbox"),
    .target(
        name: "Auth",
        dependencies: [
            "ServiceKit", "Contracts", hummingbird, nioCore, .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
        path: "Shared/Auth"),
    .target(
        name: "CXapian", path: "Shared/Search/CXapian",
        linkerSettings: [.linkedLibrary("xapian")]),
    .target(name: "Search", dependencies: ["CXapian", nioCore, nioPosix], path: "Shared/Search/Swift"),
    .target(
        name: "Fleet", dependencies: ["ServiceKit", "Database", "EventBus", "Outbox", "Search", "Contracts", hummingbird, postgres, lifecycle, logging, nioCore, nioPosix],
        path: "Shared/Fleet"),
    .target(
        name: "IdentityApp",
        dependencies: [
            "Fleet", "Auth", "Mail", nioPosix, postgres, logging, hummingbird,
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Crypto", package: "swift-crypto"),
        ],
        path: "Services/Identity/App",
        resources: [.copy("openapi.yaml")]),
    .executableTarget(name: "identity", dependencies: ["IdentityApp", "Fleet", "Auth", "Contracts", "ServiceKit", "Mail"], path: "Services/Identity/Main"),
    .target(
        name: "TicketsApp",
        dependencies: [
            "Fleet", "Auth", "Outbox", "EventBus", "Database", "ServiceKit", "Contracts", "Search", postgres, logging, hummingbird, httpTypes, lifecycle, nioCore,
            .product(name: "Crypto", package: "swift-crypto"),
        ],
        path: "Services/Tickets/App",
        resources: [.copy("openapi.yaml")]),
    .executableTarget(
        name: "tickets", dependencies: ["TicketsApp", "Fleet", "Auth", "Outbox", "Contracts", "ServiceKit", "Search"], path: "Services/Tickets/Main"),
    .target(
        name: "KnowledgeApp",
        dependencies: [
            "Fleet", "Auth", "Outbox", "EventBus", "Database", "ServiceKit", "Contracts", "Search", postgres, logging, hummingbird, httpTypes, lifecycle,
            nioCore, .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
        path: "Services/Knowledge/App",
        resources: [.copy("openapi.yaml")]),
    .executableTarget(
        name: "knowledge", dependencies: ["KnowledgeApp", "Fleet", "Auth", "Outbox", "Contracts", "ServiceKit", "Search"], path: "Services/Knowledge/Main"),
    .target(
        name: "GatewayApp",
        dependencies: [
            "ServiceKit", "EventBus", "Contracts", hummingbird, hummingbirdCore, logging, lifecycle, nioCore, nioPosix, httpTypes,
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ],
        path: "gateway/Sources/GatewayApp"),
    .executableTarget(name: "gateway", dependencies: ["GatewayApp", "ServiceKit", "EventBus", logging], path: "gateway/Sources/Gateway"),
    .executableTarget(
        name: "concierge",
        dependencies: [
            "IdentityApp", "TicketsApp", "KnowledgeApp", "Search", "Auth", "Database", "EventBus", "Outbox", "ServiceKit", "Contracts", postgres, logging, argumentParser,
        ], path: "Tools/Concierge"),
    .target(
        name: "TestSupport",
        dependencies: [
            "Database", "EventBus", "ServiceKit", "Contracts", postgres, logging, nioCore, hummingbird,
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ],
        path: "Tests/Support"),
    .testTarget(name: "SharedTests", dependencies: ["Search", "Fleet", "Auth", "TestSupport", "ServiceKit", "Database", "EventBus", "Outbox",
        "Contracts", hummingbird, postgres, logging, httpTypes, .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"), lifecycle]),
    .testTarget(name: "IdentityTests", dependencies: ["IdentityApp", "TestSupport", "Mail", "Auth", "Database", "ServiceKit", "Contracts", httpTypes,
        hummingbird, postgres, .product(name: "HummingbirdTesting", package: "hummingbird")]),
    .testTarget(name: "TicketsTests", dependencies: ["TicketsApp", "Search", "Fleet", "TestSupport", "Auth", "Database", "ServiceKit", "Contracts", httpTypes,
        hummingbird, postgres, .product(name: "HummingbirdTesting", package: "hummingbird")]),
    .testTarget(name: "KnowledgeTests", dependencies: ["KnowledgeApp", "Search", "Fleet", "TestSupport", "Auth", "Database", "ServiceKit", "Contracts", httpTypes,
        hummingbird, postgres, nioCore, logging, .product(name: "HummingbirdTesting", package: "hummingbird")]),
    .testTarget(name: "GatewayTests", dependencies: ["GatewayApp", "TestSupport", "Contracts", "ServiceKit", httpTypes, hummingbird, logging, lifecycle,
        nioCore, nioPosix, .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "HummingbirdTesting", package: "hummingbird")]),
    .testTarget(
        name: "EndToEndTests",
        dependencies: ["TestSupport", "Auth", "Contracts", "EventBus", logging, .product(name: "NIOHTTP1", package: "swift-nio")]),
]
targets += placeholderServices.map { name in
    .executableTarget(name: name.lowercased(), dependencies: ["Fleet", "Contracts"], path: "Services/\(name)/Main")
}
for index in targets.indices where targets[index].type != .system {
    targets[index].swiftSettings = (targets[index].swiftSettings ?? []) + swiftSettings
}

let package = Package(
    name: "concierge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "identity", targets: ["identity"]),
        .executable(name: "gateway", targets: ["gateway"]),
        .executable(name: "tickets", targets: ["tickets"]),
        .executable(name: "knowledge", targets: ["knowledge"]),
        .executable(name: "concierge", targets: ["concierge"]),
    ] + placeholderServices.map { .executable(name: $0.lowercased(), targets: [$0.lowercased()]) },
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: targets
)
