import Foundation

/// Output for people: stderr, with in-place progress lines when stderr is a terminal.
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) != 0

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    static func info(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    /// Rewrites the current line (terminals only).
    static func progress(_ line: String) {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
    }

    static func endProgress() {
        if isInteractive { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}

/// Fails the command with a one-sentence message and exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
