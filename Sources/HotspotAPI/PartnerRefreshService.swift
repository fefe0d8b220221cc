import Hummingbird
import Logging
import Partners
import ServiceLifecycle

/// Keeps this replica's partner snapshot in step with the store that other replicas (or `hotspot partners import`)
/// write: a one-row query every second, a reload when it changed. An edit made elsewhere is answered here within
/// `interval` plus the reload (milliseconds for thousands of partners; about a second for 100,000).
struct PartnerRefreshService: Service {
    let store: PartnerStore
    let logger: Logger
    static let interval = Duration.seconds(1)

    func run() async throws {
        // Shutdown (SIGINT, SIGTERM) cancels the loop, so the process exits.
        await cancelWhenGracefulShutdown { await poll() }
    }

    func poll() async {
        var failing = false
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: Self.interval)
            } catch {
                return
            }
            do {
                let store = self.store
                if try await offload({ try store.refresh() }) {
                    logger.info("partner directory \(store.path) changed: \(store.snapshot.count) partners")
                }
                if failing { logger.info("partner directory \(store.path) answers again") }
                failing = false
            } catch {
                // Said once, not every second; answers keep the last snapshot meanwhile.
                if !failing { logger.warning("partner directory \(store.path) cannot be read: \(error); serving the last snapshot") }
                failing = true
            }
        }
    }
}
