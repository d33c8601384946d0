import Hummingbird
import Prometheus

/// Request counts and latencies by route and status, in one Prometheus registry per process.
public struct HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
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
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
        registry.makeDurationHistogram(descriptor: Self.latency, labels: labels, buckets: Self.buckets)
            .recordNanoseconds(duration.nanoseconds)
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
