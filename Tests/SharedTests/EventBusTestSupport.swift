import Foundation
import Logging
import Synchronization
import Testing

@testable import EventBus

/// Helpers shared by the EventBus suites.
enum EventBusTest {
    static var logger: Logger {
        var logger = Logger(label: "EventBusTests")
        logger.logLevel = ProcessInfo.processInfo.environment["CONCIERGE_TEST_KAFKA_DEBUG"] != nil ? .debug : .warning
        return logger
    }

    /// Set by `make test` to the address of a running Tansu.
    static let tansuBrokers = ProcessInfo.processInfo.environment["CONCIERGE_TEST_KAFKA_BROKERS"]

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.lowercased())"
    }

    /// CONCIERGE_TEST_KAFKA_DEBUG=cgrp,fetch (any librdkafka `debug` contexts) turns on librdkafka's debug log.
    static func configuration(brokers: String) -> KafkaConfiguration {
        var configuration = KafkaConfiguration(brokers: brokers)
        if let contexts = ProcessInfo.processInfo.environment["CONCIERGE_TEST_KAFKA_DEBUG"], !contexts.isEmpty {
            configuration.extra["debug"] = contexts
        }
        return configuration
    }

    static func messages(topic: String, keys: [String], perKey: Int) -> [OutgoingMessage] {
        (0..<perKey).flatMap { sequence in
            keys.map { key in OutgoingMessage(topic: topic, key: key, value: Array("\(key):\(sequence)".utf8)) }
        }
    }

    /// Reads until `count` messages arrived or `timeout` passed, whichever is first.
    static func collect(
        _ consumer: KafkaConsumer,
        count: Int,
        timeout: Duration = .seconds(30)
    ) async -> [ConsumedMessage] {
        await withTaskGroup(of: [ConsumedMessage]?.self) { group in
            group.addTask {
                var received: [ConsumedMessage] = []
                for await message in consumer {
                    received.append(message)
                    if received.count >= count { break }
                }
                return received
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var received: [ConsumedMessage] = []
            while let result = await group.next() {
                if let result {
                    received = result
                    group.cancelAll()
                } else {
                    // Time is up: cancelling ends the collector's iteration with what it has.
                    group.cancelAll()
                }
            }
            return received
        }
    }

    static func text(_ message: ConsumedMessage) -> String {
        String(decoding: message.value, as: UTF8.self)
    }

    static func failures(_ results: [Result<Void, KafkaError>]) -> [KafkaError] {
        results.compactMap { result in
            if case .failure(let error) = result { return error }
            return nil
        }
    }

    /// Polls `condition` until it holds or `timeout` passes.
    static func eventually(timeout: Duration = .seconds(30), _ condition: @Sendable () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
