import Foundation

/// A small HTML viewer written into `Tiles/`: Leaflet (Debian's libjs-leaflet, copied beside it), a layer switcher over
/// the pyramids, opacity and the legend. Needs no server: open `Tiles/index.html` in a browser.
public enum Viewer {
    public static let leafletSources = ["/usr/share/javascript/leaflet"]

    public static func write(to directory: String, layers: [(name: String, title: String, maxZoom: Int, format: String)])
        throws(TilingError) {
        let vendor = (directory as NSString).appendingPathComponent("vendor/leaflet")
        let fm = FileManager.default
        do {
            if !fm.fileExists(atPath: vendor + "/leaflet.js"),
               let source = leafletSources.first(where: { fm.fileExists(atPath: $0 + "/leaflet.js") }) {
                try? fm.removeItem(atPath: vendor)
                try fm.createDirectory(atPath: (vendor as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try fm.copyItem(atPath: (source as NSString).resolvingSymlinksInPath, toPath: vendor)
            }
            let entries = layers.map {
                "{name: \"\($0.name)\", title: \"\($0.title)\", maxZoom: \($0.maxZoom), format: \"\($0.format)\"}"
            }.joined(separator: ",\n      ")
            let html = """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Soil Carbon Hotspots: tile viewer</title>
                <link rel="stylesheet" href="vendor/leaflet/leaflet.css">
                <style>
                  html, body, #map { height: 100%; margin: 0; }
                  body { font-family: sans-serif; }
                  #panel { position: absolute; top: 10px; right: 10px; z-index: 1000; background: #fff; padding: 8px 10px;
                           border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 320px; }
                  #panel label { display: block; margin: 2px 0; }
                  #legend { margin-top: 6px; max-width: 300px; }
                </style>
                </head>
                <body>
                <div id="map" role="application" aria-label="Hotspot map"></div>
                <div id="panel">
                  <fieldset style="border:0;padding:0;margin:0"><legend><strong>Layer</strong></legend><div id="layers"></div></fieldset>
                  <label for="opacity">Opacity</label>
                  <input id="opacity" type="range" min="0" max="1" step="0.05" value="0.85">
                  <img id="legend" alt="Legend of the selected layer">
                </div>
                <script src="vendor/leaflet/leaflet.js"></script>
                <script>
                  const layers = [
                      \(entries)
                  ];
                  const map = L.map('map', {worldCopyJump: true}).setView([20, 10], 2);
                  let current = null;
                  function show(layer) {
                    if (current) map.removeLayer(current);
                    current = L.tileLayer(layer.name + '/{z}/{x}/{y}.' + layer.format, {
                      maxNativeZoom: layer.maxZoom, maxZoom: layer.maxZoom + 3,
                      opacity: +document.getElementById('opacity').value,
                      attribution: 'Soil Carbon Hotspots (synthetic demo data where marked)'
                    }).addTo(map);
                    document.getElementById('legend').src = layer.name + '/legend.png';
                  }
                  const box = document.getElementById('layers');
                  layers.forEach((layer, i) => {
                    const label = document.createElement('label');
                    const input = document.createElement('input');
                    input.type = 'radio'; input.name = 'layer'; input.checked = i === 0;
                    input.addEventListener('change', () => show(layer));
                    label.appendChild(input); label.append(' ' + layer.title); box.appendChild(label);
                  });
                  document.getElementById('opacity').addEventListener('input', e => current && current.setOpacity(+e.target.value));
                  if (layers.length) show(layers[0]);
                </script>
                </body>
                </html>

                """
            try html.write(toFile: (directory as NSString).appendingPathComponent("index.html"), atomically: true,
                           encoding: .utf8)
        } catch {
            throw .unwritable(path: directory, reason: error.localizedDescription)
        }
    }
}
