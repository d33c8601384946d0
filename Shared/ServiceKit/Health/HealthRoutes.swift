import Foundation
import Hummingbird

/// A dependency that must answer for the instance to take traffic (the database, the broker).
public struct ReadinessCheck: Sendable {
    public var name: String
    public var check: @Sendable () async throws -> Void

    public init(name: String, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.check = check
    }
}

public enum HealthRoutes {
    /// `/health/live` answers while the process runs; `/health/ready` runs every check under a time limit,
    /// because a misconfigured pool can hang instead of failing.
    public static func add<Context: RequestContext>(
        to router: Router<Context>, checks: [ReadinessCheck], metrics: HTTPMetrics, timeout: Duration = .seconds(2)
    ) {
        router.get("/health/live") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"live"}"#)))
        }
        router.get("/health/ready") { _, _ in
            let failures = await evaluate(checks, timeout: timeout)
            guard failures.isEmpty else {
                throw Problem.unavailable("Not ready: " + failures.joined(separator: "; "))
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ready"}"#)))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
    }

    /// Names and reasons of the checks that failed or did not answer in time.
    public static func evaluate(_ checks: [ReadinessCheck], timeout: Duration) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for check in checks {
                group.addTask {
                    do {
                        try await withDeadline(timeout) { try await check.check() }
                        return nil
                    } catch {
                        return "\(check.name): \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures.sorted()
        }
    }
}
