import Contact
import Logging
import ServiceLifecycle

/// Hands the outbox's due messages to the SMTP server every `interval`, on every replica (a lease in the outbox
/// keeps two replicas from sending one message). A queue left by a stopped server is resumed at start.
struct ContactSenderService: Service {
    let relay: ContactRelay
    let logger: Logger
    static let interval = Duration.seconds(2)

    func run() async throws {
        await cancelWhenGracefulShutdown { await loop() }
    }

    func loop() async {
        var failing = false
        while !Task.isCancelled {
            do {
                let relay = self.relay
                let delivery = try await offload { try relay.deliverDue() }
                if delivery.sent > 0 { logger.info("contact relay: \(delivery.sent) message(s) accepted by the SMTP server") }
                if let error = delivery.lastError {
                    // The server's answer only: the recipient's address is never logged.
                    logger.warning("contact relay: \(delivery.retried) message(s) wait, \(delivery.failed) refused: \(error)")
                }
                failing = false
            } catch {
                if !failing { logger.warning("contact outbox cannot be read: \(error); trying again") }
                failing = true
            }
            do { try await Task.sleep(for: Self.interval) } catch { return }
        }
    }
}
