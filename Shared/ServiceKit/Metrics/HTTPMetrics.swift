import Hummingbird
import Prometheus
import Synchronization

/// Request counts and latencies by route and status, in one Prometheus registry per process.
public struct HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let series: Series

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.series = Series()
    }

    struct Labels: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    /// The counter and histogram of each label set, kept so the hot path does one dictionary look-up
    /// instead of the registry's label-string building.
    final class Series: Sendable {
        let known = Mutex<[Labels: (Counter, DurationHistogram)]>([:])
    }

    static let buckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    nonisolated(unsafe) static let requests = MetricNameDescriptor(metricName: "http_requests", unitName: "total", helpText: "HTTP requests served")
    nonisolated(unsafe) static let latency = MetricNameDescriptor(
        metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency")

    public func record(method: String, route: String, status: Int, duration: Duration) {
        let key = Labels(method: method, route: route, status: status)
        let (counter, histogram) = series.known.withLock { known in
            if let found = known[key] { return found }
            let labels = [("method", method), ("route", route), ("status", String(status))]
            let made = (
                registry.makeCounter(descriptor: Self.requests, labels: labels),
                registry.makeDurationHistogram(descriptor: Self.latency, labels: labels, buckets: Self.buckets))
            known[key] = made
            return made
        }
        counter.increment()
        histogram.recordNanoseconds(duration.nanoseconds)
    }

    /// A counter in this process's registry, beside the requests', for what else a service wants operators to see.
    public func counter(_ name: String, unit: String = "total", help: String, labels: [(String, String)] = []) -> MetricCounter {
        let counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(metricName: name, unitName: unit, helpText: help), labels: labels)
        return MetricCounter { counter.increment() }
    }

    public func render() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Times every request, after errors became responses, and labels it with the matched route template
/// (not the raw path, which would make one series per id).
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics

    public init(metrics: HTTPMetrics) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        metrics.record(
            method: request.method.rawValue, route: route, status: Int(response.status.code),
            duration: ContinuousClock.now - start)
        return response
    }
}

/// One counter of ``HTTPMetrics``'s registry, without its Prometheus type.
public struct MetricCounter: Sendable {
    public let increment: @Sendable () -> Void
}
