import Foundation

/// A QGIS layer style (`.qml`) drawing a raster as its tiles are drawn: a paletted renderer for categorical ramps,
/// a pseudocolour ramp (interpolated or discrete) for the others. QGIS loads `name.qml` beside `name.tif` by itself.
public enum QGISStyle {
    public static func qml(for spec: RampSpec) -> String {
        func hex(_ c: RampSpec.RGBA) -> String { String(format: "#%02x%02x%02x", c.r, c.g, c.b) }
        let xml = XMLText.escaped
        func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
        let renderer: String
        switch spec.kind {
        case .categorical:
            let entries = spec.classes.map { c in
                "        <paletteEntry value=\"\(c.code)\" color=\"\(hex(c.color))\" alpha=\"\(c.color.a)\" label=\"\(xml(c.label))\"/>"
            }
            renderer = """
                    <rasterrenderer type="paletted" band="1" opacity="1" alphaBand="-1" nodataColor="">
                      <colorPalette>
                \(entries.joined(separator: "\n"))
                      </colorPalette>
                    </rasterrenderer>
                """
        case .continuous, .stepped:
            let items = spec.stops.map { s in
                "            <item value=\"\(number(s.value))\" color=\"\(hex(s.color))\" alpha=\"\(s.color.a)\" label=\"\(number(s.value))\"/>"
            }
            let lowest = spec.stops.first?.value ?? 0, highest = spec.stops.last?.value ?? 1
            renderer = """
                    <rasterrenderer type="singlebandpseudocolor" band="1" opacity="1" alphaBand="-1" \
                classificationMin="\(number(lowest))" classificationMax="\(number(highest))" nodataColor="">
                      <rastershader>
                        <colorrampshader colorRampType="\(spec.kind == .stepped ? "DISCRETE" : "INTERPOLATED")" \
                classificationMode="1" clip="0" minimumValue="\(number(lowest))" maximumValue="\(number(highest))">
                \(items.joined(separator: "\n"))
                        </colorrampshader>
                      </rastershader>
                    </rasterrenderer>
                """
        }
        return """
            <!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
            <qgis version="3.28" styleCategories="Symbology">
              <!-- \(xml(spec.name)) (\(xml(spec.units))): the colours of the map's tiles -->
              <pipe>
            \(renderer)
              </pipe>
            </qgis>

            """
    }
}
