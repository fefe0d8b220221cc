import GeoKit
import HotspotConfig
import HotspotModel

/// Reads windows of one layer on the target grid, as stored, with nodata as NaN (`units` converts to model units).
/// A monthly layer reads its twelve bands as twelve planes of the window. Owned by one thread.
public final class LayerReader {
    public let source: LayerSource
    let bands: [Band]
    let offset: (column: Int, row: Int)
    var band: Band { bands[0] }

    init(source: LayerSource, bands: [Band], offset: (column: Int, row: Int)) {
        self.source = source
        self.bands = bands
        self.offset = offset
    }

    private func sourceWindow(_ window: Window) -> Window {
        Window(column: window.column + offset.column, row: window.row + offset.row, width: window.width,
               height: window.height)
    }

    /// Reads the target `window` from the source into `buffer`, by the alignment the plan chose.
    private func readRaw<T: RasterElement>(
        _ window: Window, into buffer: UnsafeMutableBufferPointer<T>, band: Band? = nil
    ) throws(GeoError) {
        let band = band ?? self.band
        guard case let .resampled(resampling) = source.alignment else {
            try band.read(sourceWindow(window), into: buffer)
            return
        }
        let s = source.sourceGrid.geoTransform, t = source.target.geoTransform
        let x = (t.originX + Double(window.column) * t.pixelWidth - s.originX) / s.pixelWidth
        let y = (t.originY + Double(window.row) * t.pixelHeight - s.originY) / s.pixelHeight
        let fractional = (x: x, y: y, width: Double(window.width) * t.pixelWidth / s.pixelWidth,
                          height: Double(window.height) * t.pixelHeight / s.pixelHeight)
        try band.read(fractional: fractional, into: buffer, bufferWidth: window.width, bufferHeight: window.height,
                      resampling: resampling)
    }

    private func fail(_ error: GeoError) -> PipelineError {
        .layer(role: source.spec.role.rawValue, path: source.spec.path, error)
    }

    /// How this layer's stored values become model units (applied by the scorer, in double precision).
    public var units: UnitConversion { UnitConversion(scale: source.spec.scale, offset: source.spec.offset) }

    /// Reads a continuous layer's window into `buffer`, as stored, with nodata as NaN: one window-sized plane per
    /// band (twelve for a monthly layer, January first).
    public func read(_ window: Window, into buffer: UnsafeMutableBufferPointer<Float>) throws(PipelineError) {
        let n = window.pixelCount
        for (k, band) in bands.enumerated() {
            let plane = UnsafeMutableBufferPointer(rebasing: buffer[(k * n)..<((k + 1) * n)])
            do { try readRaw(window, into: plane, band: band) } catch { throw fail(error) }
            if let noData = source.noData {
                let nd = Float(noData)
                for i in 0..<n where plane[i] == nd { plane[i] = .nan }
            }
        }
    }

    /// Reads a land-cover window and maps its codes to group raw values through the legend; codes that are nodata or
    /// not in the legend become `LandCoverGroup.noDataCode`. `scratch` must hold the window.
    public func readGroups(
        _ window: Window, legend: LandCoverClasses, scratch: UnsafeMutableBufferPointer<Int32>,
        into groups: UnsafeMutableBufferPointer<UInt8>
    ) throws(PipelineError) {
        do { try readRaw(window, into: scratch) } catch { throw fail(error) }
        let noData = source.noData.map { Int32(exactly: $0) } ?? nil
        legend.groupByCode.withUnsafeBufferPointer { table in
            let top = Int32(table.count)
            for i in 0..<window.pixelCount {
                let code = scratch[i]
                groups[i] = code == noData || code < 0 || code >= top ? LandCoverGroup.noDataCode : table[Int(code)]
            }
        }
    }

    /// Reads a land-cover window's codes as stored; nodata codes become nil.
    public func readCodes(_ window: Window) throws(PipelineError) -> [Int32?] {
        var codes = [Int32](repeating: 0, count: window.pixelCount)
        do throws(GeoError) {
            try codes.withUnsafeMutableBufferPointer { (buffer) throws(GeoError) in try readRaw(window, into: buffer) }
        } catch {
            throw fail(error)
        }
        let noData = source.noData.map { Int32(exactly: $0) } ?? nil
        return codes.map { $0 == noData ? nil : $0 }
    }
}
