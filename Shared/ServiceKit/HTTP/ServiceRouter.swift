import Hummingbird

public enum ServiceRouter {
    /// A router with the fleet's middleware, in the order that lets metrics see the final status of errors:
    /// request id, metrics, problem+json, then the routes; plus health and metrics endpoints.
    public static func make(metrics: HTTPMetrics, checks: [ReadinessCheck]) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware())
        HealthRoutes.add(to: router, checks: checks, metrics: metrics)
        return router
    }
}
