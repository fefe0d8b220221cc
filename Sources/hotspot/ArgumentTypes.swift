import ArgumentParser
import GeoKit
import HotspotAPI
import RunReader

// Typed options: argument-parser refuses a value outside the cases before `run()` starts, naming the allowed ones.
extension ImageEncoder.Format: ExpressibleByArgument {}
extension Language: ExpressibleByArgument {}
