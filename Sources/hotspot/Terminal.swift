import Foundation
import ArgumentParser
import HotspotAPI

/// Output for people: stderr, with in-place progress lines when stderr is a terminal.
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) != 0

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
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

/// The one way a command fails on an error of the product's own: the error in one sentence on stderr, exit 1.
/// Every typed error of the modules reads as a sentence (`description`).
func failingInOneSentence<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch let error as CustomStringConvertible & Error {
        Terminal.endProgress()
        Terminal.error(error.description)
        throw ExitCode.failure
    }
}

/// The "Examples:" part of a subcommand's help: command lines as a user types them.
func examples(_ lines: String...) -> String {
    "Examples:\n" + lines.map { "  " + $0 }.joined(separator: "\n")
}

/// Numbers for people: three significant figures and a word for the scale (13.3 million km2, 20.7 million pixels).
enum Readable {
    static func count(_ value: Int) -> String { scaled(Double(value)) }

    static func area(_ km2: Double) -> String { scaled(km2) + " km2" }

    static func scaled(_ value: Double) -> String {
        let magnitude = abs(value)
        let (divisor, word): (Double, String) = magnitude >= 1e9 ? (1e9, " billion")
            : magnitude >= 1e6 ? (1e6, " million") : magnitude >= 1e4 ? (1e3, " thousand") : (1, "")
        let scaled = value / divisor
        let digits = divisor == 1 ? (magnitude >= 100 || value == value.rounded() ? 0 : 1)
            : abs(scaled) >= 100 ? 0 : abs(scaled) >= 10 ? 1 : 2
        return String(format: "%.\(digits)f", scaled) + word
    }
}
