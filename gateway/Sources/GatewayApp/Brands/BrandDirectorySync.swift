import AsyncHTTPClient
import Contracts
import EventBus
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Keeps the directory current: loads identity's snapshot (retrying until identity answers), then applies
/// `brand.created` / `brand.updated` from `identity.events`, so a new brand's host works within a second.
/// Each gateway instance reads with its own consumer group, because every instance needs every event.
public struct BrandDirectorySync: Service {
    let directory: BrandDirectory
    let client: HTTPClient
    let identityURLs: [String]
    let kafka: KafkaConfiguration
    let groupID: String
    let logger: Logger

    public init(directory: BrandDirectory, client: HTTPClient, identityURLs: [String], kafka: KafkaConfiguration, instance: String, logger: Logger) {
        self.directory = directory
        self.client = client
        self.identityURLs = identityURLs
        self.kafka = kafka
        self.groupID = "gateway-\(instance)-\(UUID().uuidString.lowercased())"
        self.logger = logger
    }

    public func run() async throws {
        let consumer = try KafkaConsumer(configuration: kafka, groupID: groupID, topics: [ServiceName.identity.eventsTopic], logger: logger)
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await loadSnapshot() }
                group.addTask {
                    try await consume(consumer, logger: logger) { message in apply(message) }
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            Task { await consumer.close() }
        }
        await consumer.close()
    }

    func apply(_ message: ConsumedMessage) {
        guard let header = try? CloudEventCoding.decodeHeader(message.value),
            header.type == BrandEventType.created || header.type == BrandEventType.updated
        else { return }
        do {
            let event = try CloudEventCoding.decode(BrandSnapshot.self, from: message.value)
            if directory.apply(event.data) {
                logger.info("brand directory updated", metadata: ["brand": "\(event.data.id)", "hostnames": "\(event.data.hostnames)"])
            }
        } catch {
            logger.error("skipping unreadable brand event", metadata: ["offset": "\(message.offset)", "error": "\(error)"])
        }
    }

    func loadSnapshot() async {
        var attempt = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let url = identityURLs[attempt % max(1, identityURLs.count)]
            attempt += 1
            do {
                let response = try await client.execute(HTTPClientRequest(url: url + "/internal/brands"), timeout: .seconds(5))
                guard response.status == .ok else { throw SnapshotError(status: Int(response.status.code)) }
                let body = try await response.body.collect(upTo: 64 << 20)
                let snapshot = try JSONDecoder().decode(Snapshot.self, from: Data(body.readableBytesView))
                for brand in snapshot.brands { directory.apply(brand) }
                directory.markLoaded()
                logger.info("brand directory loaded", metadata: ["brands": "\(snapshot.brands.count)"])
                return
            } catch {
                if attempt % 10 == 1 {
                    logger.warning("identity snapshot not loaded yet; retrying", metadata: ["url": "\(url)", "error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    struct Snapshot: Decodable {
        var brands: [BrandSnapshot]
    }

    struct SnapshotError: Error {
        var status: Int
    }
}
