#!/usr/bin/env bash
# Times `hotspot tiles` against GDAL's chain (gdaldem color-relief with the same ramp, then gdal2tiles.py --xyz
# --processes=2) on the same score raster, in one run, and prints tiles/s of each and the ratio.
# Usage: Benchmarks/tiles.sh [ZOOMS]   (default 0-7, the quick mode; 0-9 for the full comparison)
set -euo pipefail
cd "$(dirname "$0")/.."
ZOOMS=${1:-0-7}
HOTSPOT=.build/release/hotspot
LAYER=sequestration_score
OUT=Benchmarks/out/tiles-$ZOOMS
[ -x "$HOTSPOT" ] || swift build -c release --product hotspot
[ -f Rasters/derived/latest/$LAYER.tif ] || make run
SRC=$(readlink -f Rasters/derived/latest)/$LAYER.tif
rm -rf "$OUT"; mkdir -p "$OUT"
PY=$(head -1 "$(command -v gdal_calc.py)" | sed 's/^#! *//')

# The same ramp for gdaldem: value r g b a per stop, nodata transparent.
$PY - "$OUT/colours.txt" <<'PYEOF'
import re, sys
stops = re.findall(r'\[\s*([-\d.]+)\s*,\s*"#([0-9a-fA-F]{6})([0-9a-fA-F]{2})?"\s*\]', open('Config/ramps/score_greens.yaml').read())
with open(sys.argv[1], 'w') as f:
    for value, rgb, alpha in stops:
        f.write(f"{value} {int(rgb[0:2],16)} {int(rgb[2:4],16)} {int(rgb[4:6],16)} {int(alpha or 'ff',16)}\n")
    f.write("nv 0 0 0 0\n")
PYEOF

count() { find "$1" -name '*.png' ! -name legend.png | wc -l; }
echo "== $SRC, zooms $ZOOMS"
start=$(date +%s.%N)
gdaldem color-relief -q -alpha "$SRC" "$OUT/colours.txt" "$OUT/rgba.tif"
mid=$(date +%s.%N)
gdal2tiles.py --xyz -q -z "$ZOOMS" -w none --processes=2 "$OUT/rgba.tif" "$OUT/gdal2tiles" >/dev/null
end=$(date +%s.%N)
G_TILES=$(count "$OUT/gdal2tiles"); G_SECS=$(echo "$end - $start" | bc -l)
printf "   gdaldem + gdal2tiles: %6d tiles in %7.2f s (gdaldem %.2f s) = %7.1f tiles/s\n" "$G_TILES" "$G_SECS" \
  "$(echo "$mid - $start" | bc -l)" "$(echo "$G_TILES / $G_SECS" | bc -l)"

sed -e "s#dir: Tiles#dir: $OUT/hotspot#" Config/hotspot.yaml > "$OUT/hotspot.yaml"
start=$(date +%s.%N)
$HOTSPOT tiles --config "$OUT/hotspot.yaml" --layers $LAYER --zoom "$ZOOMS" 2> "$OUT/hotspot.log"
end=$(date +%s.%N)
H_TILES=$(count "$OUT/hotspot/$LAYER"); H_SECS=$(echo "$end - $start" | bc -l)
printf "   hotspot tiles:        %6d tiles in %7.2f s                 = %7.1f tiles/s\n" "$H_TILES" "$H_SECS" \
  "$(echo "$H_TILES / $H_SECS" | bc -l)"
# gdal2tiles writes every tile of the raster's bounding box, fully transparent ones too; hotspot tiles evaluates the
# same tiles and skips writing the empty ones. So the fair figure is the time to make the same pyramid.
printf "== same pyramid: hotspot tiles %.2f s vs gdaldem + gdal2tiles %.2f s: %.1fx faster\n" "$H_SECS" "$G_SECS" \
  "$(echo "$G_SECS / $H_SECS" | bc -l)"
printf "   per tile of the pyramid (%d tiles in the bounds): %.0f vs %.0f tiles/s; per tile written: %.1fx\n" \
  "$G_TILES" "$(echo "$G_TILES / $H_SECS" | bc -l)" "$(echo "$G_TILES / $G_SECS" | bc -l)" \
  "$(echo "($H_TILES / $H_SECS) / ($G_TILES / $G_SECS)" | bc -l)"
