import Metrics
import NIOCore
import NIOHTTPTypes
import Synchronization

/// How long a client may take, and how many connections the server keeps (`server.head_timeout`, `idle_timeout`,
/// `body_timeout`, `max_connections`).
struct ConnectionLimits: Sendable {
    var headTimeout: TimeAmount
    var idleTimeout: TimeAmount
    var bodyTimeout: TimeAmount
    var maxConnections: Int

    init(headTimeout: Double, idleTimeout: Double, bodyTimeout: Double, maxConnections: Int) {
        func amount(_ seconds: Double) -> TimeAmount { .milliseconds(Int64(seconds * 1000)) }
        self.headTimeout = amount(headTimeout)
        self.idleTimeout = amount(idleTimeout)
        self.bodyTimeout = amount(bodyTimeout)
        self.maxConnections = maxConnections
    }
}

/// The server's open connections and which of them wait for a request. Beyond the cap, the one that has waited
/// longest for a request head is closed: a flood of half-sent requests evicts its own connections, not the clients
/// being answered, and a new client always gets in (a cap that stopped accepting would lock real clients out).
final class ConnectionRoster: Sendable {
    private struct Entry {
        let channel: any Channel
        /// When it started waiting for a request head; nil while a request is read or answered.
        var waitingSince: ContinuousClock.Instant?
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])
    let limit: Int
    private let open = Gauge(label: "hotspot_connections_open")
    private let evicted = Counter(label: "hotspot_connections_closed_total", dimensions: [("reason", "evicted")])

    init(limit: Int) { self.limit = limit }

    var count: Int { entries.withLock { $0.count } }

    func opened(_ channel: any Channel) {
        let victim: (any Channel)? = entries.withLock { entries in
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, waitingSince: .now)
            guard entries.count > limit else { return nil }
            // One pass, no copy of the table (this runs for every connection while a flood is over the cap).
            var oldest: (key: ObjectIdentifier, since: ContinuousClock.Instant)?
            for (key, entry) in entries where key != ObjectIdentifier(channel) {
                if let since = entry.waitingSince, oldest.map({ since < $0.since }) ?? true { oldest = (key, since) }
            }
            guard let oldest, let victim = entries.removeValue(forKey: oldest.key) else { return nil }
            return victim.channel
        }
        open.record(count)
        if let victim {
            evicted.increment()
            victim.close(promise: nil)
        }
    }

    func closed(_ channel: any Channel) {
        entries.withLock { $0[ObjectIdentifier(channel)] = nil }
        open.record(count)
    }

    func waiting(_ channel: any Channel, _ isWaiting: Bool) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.waitingSince = isWaiting ? .now : nil }
    }
}

/// One per connection, after the HTTP decoder: closes a connection whose client is too slow to send a request head
/// (from connecting, or from the previous answer on a kept-alive connection) or a body, and tells the roster when
/// the connection waits for a client, and closes one whose client stops reading an answer (the socket's buffer full
/// for `bodyTimeout`), so a stalled reader does not hold a batch's admission or a download forever. The time the
/// server takes to answer is never the client's fault: no other timer runs between a request's end and its answer's.
final class SlowClientGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let roster: ConnectionRoster
    private var timer: Scheduled<Void>?
    /// Requests whose head was read, and answers whose end was written (pipelined requests make them differ by more
    /// than one).
    private var requests = 0
    private var answers = 0
    private var readingBody = false
    private var closed = false

    private static let timedOut = [
        "head": Counter(label: "hotspot_connections_closed_total", dimensions: [("reason", "head_timeout")]),
        "idle": Counter(label: "hotspot_connections_closed_total", dimensions: [("reason", "idle_timeout")]),
        "body": Counter(label: "hotspot_connections_closed_total", dimensions: [("reason", "body_timeout")]),
        "write": Counter(label: "hotspot_connections_closed_total", dimensions: [("reason", "write_timeout")]),
    ]
    private var timerReason = ""

    init(limits: ConnectionLimits, roster: ConnectionRoster) {
        self.limits = limits
        self.roster = roster
    }

    func handlerAdded(context: ChannelHandlerContext) {
        roster.opened(context.channel)
        arm(context, limits.headTimeout, "head")
    }

    func handlerRemoved(context: ChannelHandlerContext) { finish(context) }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requests += 1
            readingBody = true
            roster.waiting(context.channel, false)
            arm(context, limits.bodyTimeout, "body")
        case .body:
            break
        case .end:
            readingBody = false
            disarm()
        }
        context.fireChannelRead(data)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable {
            arm(context, limits.bodyTimeout, "write")
        } else if timerReason == "write" {
            disarm()
        }
        context.fireChannelWritabilityChanged()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            answers += 1
            if answers >= requests, !readingBody {
                roster.waiting(context.channel, true)
                arm(context, limits.idleTimeout, "idle")
            }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, _ delay: TimeAmount, _ reason: String) {
        disarm()
        guard !closed else { return }
        timerReason = reason
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            timer = nil
            Self.timedOut[reason]?.increment()
            context.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }

    private func finish(_ context: ChannelHandlerContext) {
        disarm()
        guard !closed else { return }
        closed = true
        roster.closed(context.channel)
    }
}
