#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Checks that the server can listen where it is asked to, before anything is opened or logged as served: a busy
/// port is the commonest way a second `hotspot serve` fails, and NIO's bind error does not say which port.
public enum ListenAddress {
    /// Throws a one-sentence problem when `host:port` cannot be bound (port 0 asks for any free port: always fine).
    public static func checkAvailable(host: String, port: Int) throws(ServerSetupError) {
        guard port != 0 else { return }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let info = found else {
            throw ServerSetupError("cannot listen on \(host): it is not an address of this machine")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { return }  // the server's own bind will say what is wrong
        defer { close(fd) }
        var yes: Int32 = 1
        // As NIO binds: SO_REUSEADDR, so a port in TIME_WAIT is not reported as busy.
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
            let reason = errno
            if reason == EADDRINUSE {
                throw ServerSetupError("port \(port) on \(host) is already in use: stop the other server or "
                    + "give another --port")
            }
            if reason == EACCES {
                throw ServerSetupError("port \(port) on \(host) needs privileges: use a port above 1023")
            }
            throw ServerSetupError("cannot listen on \(host) port \(port): \(String(cString: strerror(reason)))")
        }
    }
}

/// Why the server cannot start: it cannot listen, or its configuration cannot be served. Said in one sentence.
public struct ServerSetupError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
