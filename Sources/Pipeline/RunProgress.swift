import Foundation
import Synchronization

/// Where a run is: which phase, how many of its steps are done. Reported after every strip or file.
public struct RunProgress: Sendable {
    public enum Phase: String, Sendable {
        case scoring = "scoring"
        case classifying = "classifying"
        case writingCOGs = "writing COGs"
    }

    public var phase: Phase
    public var done: Int
    public var total: Int
    /// Pixels per second in this phase so far (0 when not meaningful).
    public var pixelsPerSecond: Double
    /// Seconds left in this phase at the current rate, when known.
    public var etaSeconds: Double?
}

/// Counts steps of a phase and reports them; safe to call from the workers.
final class ProgressCounter: Sendable {
    /// Steps done and pixels done so far.
    private let counts = Mutex((done: 0, pixels: 0))
    private let total: Int
    private let phase: RunProgress.Phase
    private let start = Date()
    private let report: (@Sendable (RunProgress) -> Void)?

    init(phase: RunProgress.Phase, total: Int, report: (@Sendable (RunProgress) -> Void)?) {
        self.phase = phase
        self.total = total
        self.report = report
        report?(RunProgress(phase: phase, done: 0, total: total, pixelsPerSecond: 0, etaSeconds: nil))
    }

    func step(pixels count: Int = 0) {
        let (d, p) = counts.withLock { counts in
            counts.done += 1
            counts.pixels += count
            return (counts.done, counts.pixels)
        }
        guard let report else { return }
        let elapsed = Date().timeIntervalSince(start)
        let eta = d > 0 ? elapsed / Double(d) * Double(total - d) : nil
        report(RunProgress(phase: phase, done: d, total: total, pixelsPerSecond: elapsed > 0 ? Double(p) / elapsed : 0,
                           etaSeconds: eta))
    }
}
