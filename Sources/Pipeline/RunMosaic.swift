import Foundation
import GeoKit

/// A sharded run's layers made whole at publish time: a VRT per layer over the shards' COGs (as SoilGrids publishes
/// its global layers; nothing is copied), or with `--assemble` one COG per layer, built from the shards'
/// intermediates exactly as the plain run builds its own (same bytes, overviews included).
struct RunMosaic {
    let setup: RunSetup
    let plan: RunPlan
    let folder: RunFolder
    let writer: OutputWriter

    var shards: [RunPlan.Band] { plan.shards.filter { !$0.isEmpty } }

    /// `<layer>.vrt` over `shards/NNNN/<layer>.tif`, with the COG's nodata, units, description, palette and
    /// metadata, and one overview VRT per level of the shards' COGs (`overviews/<layer>.<k>.vrt`: GDAL 3.6 builds a
    /// VRT's implicit overviews only over a single source). Returns the files to write, main one first.
    func vrts(_ layer: OutputLayer) throws(PipelineError) -> [(name: String, text: String)] {
        let grid = setup.grid
        var crs = grid.crsDefinition, levels = setup.overviews?.factors.count ?? Int.max
        // The SRS as the COGs hold it, and the overview levels every shard has.
        for shard in shards {
            let path = folder.shardFile(shard.index, layer.fileName)
            do throws(GeoError) {
                let dataset = try Dataset(path: path)
                if shard.index == shards.first!.index { crs = try dataset.grid().crsDefinition }
                levels = min(levels, try dataset.band(1).overviewCount)
            } catch {
                throw .shards("shard \(shard.index)'s \(layer.fileName) cannot be read (\(error)): classify it again")
            }
        }
        if levels == .max { levels = 0 }
        var files: [(String, String)] = [(layer.rawValue + ".vrt", mosaic(layer, crs: crs, level: nil, levels: levels))]
        for k in 0..<levels {
            files.append(("overviews/\(layer.rawValue).\(k).vrt", mosaic(layer, crs: crs, level: k, levels: 0)))
        }
        return files
    }

    /// The mosaic of full resolution (`level` nil) or of overview level `level` (factor 2^(level+1)).
    private func mosaic(_ layer: OutputLayer, crs: String, level: Int?, levels: Int) -> String {
        let grid = setup.grid
        let factor = level.map { 1 << ($0 + 1) } ?? 1
        let width = (grid.width + factor - 1) / factor, height = (grid.height + factor - 1) / factor
        var transform = grid.geoTransform
        transform.pixelWidth *= Double(factor)
        transform.pixelHeight *= Double(factor)
        let type = layer.pixelType.rawValue
        let t = transform.coefficients.map { String(format: "%.17g", $0) }.joined(separator: ", ")
        var xml = "<VRTDataset rasterXSize=\"\(width)\" rasterYSize=\"\(height)\">\n"
        // No axis mapping: GDAL's VRT reader then takes GIS order (x first), as it reads GeoTIFFs.
        xml += "  <SRS>\(escape(crs))</SRS>\n"
        xml += "  <GeoTransform>\(t)</GeoTransform>\n"
        if level == nil {
            xml += "  <Metadata>\n" + writer.datasetMetadata(layer).map { "    <MDI key=\"\(escape($0.0))\">\(escape($0.1))</MDI>\n" }
                .joined() + "  </Metadata>\n"
        }
        xml += "  <VRTRasterBand dataType=\"\(type)\" band=\"1\" blockXSize=\"512\" blockYSize=\"512\">\n"
        xml += "    <NoDataValue>\(String(format: "%.17g", layer.noData))</NoDataValue>\n"
        if level == nil {
            xml += "    <Description>\(escape(layer.rawValue))</Description>\n"
            xml += "    <UnitType>\(escape(layer.units))</UnitType>\n"
            xml += "    <Metadata>\n" + writer.bandMetadata(layer).map { "      <MDI key=\"\(escape($0.0))\">\(escape($0.1))</MDI>\n" }
                .joined() + "    </Metadata>\n"
        }
        if let colours = writer.colourTable(layer) {
            xml += "    <ColorInterp>Palette</ColorInterp>\n    <ColorTable>\n"
            xml += colours.map { "      <Entry c1=\"\($0.r)\" c2=\"\($0.g)\" c3=\"\($0.b)\" c4=\"\($0.a)\"/>\n" }.joined()
            xml += "    </ColorTable>\n"
        }
        for k in 0..<levels {
            xml += "    <Overview>\n      <SourceFilename relativeToVRT=\"1\">overviews/\(layer.rawValue).\(k).vrt</SourceFilename>\n"
            xml += "      <SourceBand>1</SourceBand>\n    </Overview>\n"
        }
        let prefix = level == nil ? "" : "../"
        for shard in shards {
            let first = shard.rows[0] / factor, rows = (shard.rows[1] - shard.rows[0] + factor - 1) / factor
            xml += "    <SimpleSource>\n"
            xml += "      <SourceFilename relativeToVRT=\"1\">\(prefix)shards/\(String(format: "%04d", shard.index))/\(layer.fileName)</SourceFilename>\n"
            if let level { xml += "      <OpenOptions><OOI key=\"OVERVIEW_LEVEL\">\(level)</OOI></OpenOptions>\n" }
            xml += "      <SourceBand>1</SourceBand>\n"
            xml += "      <SourceProperties RasterXSize=\"\(width)\" RasterYSize=\"\(rows)\" DataType=\"\(type)\" "
                + "BlockXSize=\"512\" BlockYSize=\"512\"/>\n"
            xml += "      <SrcRect xOff=\"0\" yOff=\"0\" xSize=\"\(width)\" ySize=\"\(rows)\"/>\n"
            xml += "      <DstRect xOff=\"0\" yOff=\"\(first)\" xSize=\"\(width)\" ySize=\"\(rows)\"/>\n"
            xml += "    </SimpleSource>\n"
        }
        xml += "  </VRTRasterBand>\n</VRTDataset>\n"
        return xml
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The layer's whole-grid intermediate from the shards' (full resolution and every overview level), in `work`.
    func assembleIntermediate(_ layer: OutputLayer, into work: WorkFolder) throws(PipelineError) {
        let grid = setup.grid
        let target = try work.createIntermediate(layer.fileName, grid: grid, type: layer.pixelType,
                                                 noData: layer.noData, overviews: setup.overviews)
        do throws(GeoError) {
            let band = try target.band(1)
            for shard in shards {
                let source = try Dataset(path: Intermediate.path(layer, in: folder.shardWork(shard.index))).band(1)
                if layer.pixelType == .byte {
                    try copy(UInt8.self, from: source, to: band, firstRow: shard.rows[0], levels: setup.overviews?.factors ?? [])
                } else {
                    try copy(Float.self, from: source, to: band, firstRow: shard.rows[0], levels: setup.overviews?.factors ?? [])
                }
            }
            try target.close()
        } catch {
            throw .output(path: work.file(layer.fileName), reason: error.description)
        }
    }

    /// Copies a shard's band and its overview levels into the whole grid's, `stripRows` rows at a time. A shard
    /// starts on a multiple of every overview factor, so its overview pixels are the grid's.
    private func copy<T: RasterElement>(
        _: T.Type, from source: Band, to target: Band, firstRow: Int, levels: [Int]
    ) throws(GeoError) {
        var pairs: [(Band, Band, Int)] = [(source, target, 1)]
        for (k, factor) in levels.enumerated() where k < source.overviewCount {
            pairs.append((try source.overview(k), try target.overview(k), factor))
        }
        for (from, to, factor) in pairs {
            let (width, height) = from.size
            let rows = max(1, setup.stripRows)
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: width * rows)
            defer { buffer.deallocate() }
            for row in stride(from: 0, to: height, by: rows) {
                let window = Window(column: 0, row: row, width: width, height: min(rows, height - row))
                try from.read(window, into: buffer)
                try to.write(Window(column: 0, row: firstRow / factor + row, width: width, height: window.height),
                             from: UnsafeBufferPointer(buffer))
            }
        }
    }
}
