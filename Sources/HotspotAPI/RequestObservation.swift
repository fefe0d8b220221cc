import Dispatch
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import Synchronization

/// One log line per request, when it is answered: method, path and query, status, bytes and latency.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let response = try await next(request, context)
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        let bytes = response.body.contentLength.map(String.init) ?? response.headers[.contentLength] ?? "-"
        let target = request.uri.query.map { request.uri.path + "?" + $0 } ?? request.uri.path
        context.logger.info("\(request.method) \(target) \(response.status.code) \(bytes) bytes \(String(format: "%.1f", milliseconds)) ms")
        return response
    }
}

/// Prometheus counters and latency histograms per route (the route's pattern, so `/v1/download` counts every
/// download and `/tiles/{layer}/{z}/{x}/{y}.png` every tile), method and status, with `# HELP` lines.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "hotspot", subsystem: "http", metricName: "requests", unitName: "total",
                             helpText: "HTTP requests answered, by route, method and status.")
    }
    static var duration: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "hotspot", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                             helpText: "Time to answer an HTTP request (until the handler returns), by route and method.")
    }
    static var buckets: [Duration] { [.microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25),
                                      .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10)] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        // Labels from a bounded set: route patterns, and methods the API has ("other" for what a client makes up).
        let route = context.endpointPath ?? "unmatched"
        let method = MethodMiddleware<Context>.answered.contains(request.method) ? request.method.rawValue : "other"
        let registry = ServerMetrics.registry
        registry.makeCounter(descriptor: Self.requests, labels: [
            ("route", route), ("method", method), ("status", "\(response.status.code)"),
        ]).increment()
        registry.makeDurationHistogram(descriptor: Self.duration, labels: [("route", route), ("method", method)],
                                       buckets: Self.buckets).record(ContinuousClock.now - start)
        return response
    }
}

/// `hotspot_served_run_info{run_id="..."} 1`: which run the server answers from (the usual Prometheus info metric).
final class ServedRunMetric: Sendable {
    private let gauge = Mutex<(runID: String, gauge: Gauge)?>(nil)

    func update(runID: String) {
        gauge.withLock { current in
            guard current?.runID != runID else { return }
            if let old = current?.gauge { ServerMetrics.registry.unregisterGauge(old) }
            let made = ServerMetrics.registry.makeGauge(descriptor: MetricNameDescriptor(
                namespace: "hotspot", subsystem: "served_run", metricName: "info", unitName: "",
                helpText: "The run the server answers from (value 1, the run id as a label)."), labels: [("run_id", runID)])
            made.set(to: 1.0)
            current = (runID, made)
        }
    }
}
