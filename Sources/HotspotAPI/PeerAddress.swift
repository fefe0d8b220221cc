import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Puts the connection's peer address in each request head as `X-Hotspot-Peer` (replacing any the client sent):
/// Hummingbird's basic context does not carry it, and the contact relay's per-client limit needs it.
final class PeerAddressHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    static let header = HTTPField.Name("X-Hotspot-Peer")!

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        head.headerFields[Self.header] = context.channel.remoteAddress?.ipAddress ?? "unknown"
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}

/// The client a request comes from: the peer, or behind a proxy on this machine (loopback peer) the last address
/// the proxy added to `X-Forwarded-For` (nginx's `$proxy_add_x_forwarded_for`; earlier entries are the client's own
/// and may be made up).
func clientAddress(_ fields: HTTPFields) -> String {
    let peer = fields[PeerAddressHandler.header] ?? "unknown"
    let loopback = peer.hasPrefix("127.") || peer == "::1" || peer.hasPrefix("::ffff:127.")
    if loopback, let forwarded = fields[.init("X-Forwarded-For")!]?.split(separator: ",").last {
        return forwarded.trimmingCharacters(in: .whitespaces)
    }
    return peer
}
