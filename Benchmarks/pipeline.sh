#!/usr/bin/env bash
# Times `hotspot run` against the equivalent GDAL chain on the same inputs, in one run, and prints the ratios and the
# peak memory of each.
#   GDAL chain: gdalwarp for the misaligned layers (climate: bilinear; land cover: mode), then gdal_calc.py for the
#   sequestration rate and the expected loss with the same formulas (Benchmarks/gdal_chain_expressions.py).
#   Scoring step alone: gdal_calc.py (rate + loss) on the aligned stack vs hotspot's scoring pass on the same stack.
# Every step runs REPEAT times (default 3) and keeps its best time (the machine is shared and noisy) and its largest
# peak memory.
# Usage: Benchmarks/pipeline.sh [RESOLUTION_DEG]   (default 0.05: the 7200 x 2880 demo grid, 20.7 Mpx)
#   env: REPEAT=3
set -euo pipefail
cd "$(dirname "$0")/.."
RES=${1:-0.05}
REPEAT=${REPEAT:-3}
HOTSPOT=.build/release/hotspot
PY=$(head -1 "$(command -v gdal_calc.py)" | sed 's/^#! *//')   # Debian's python, the one with GDAL bindings
OUT=Benchmarks/out/pipeline-$RES
rm -rf "$OUT"; mkdir -p "$OUT"/{demo,aligned,derived,derived-aligned}
[ -x "$HOTSPOT" ] || swift build -c release --product hotspot

echo "== inputs: demo data at $RES deg"
$HOTSPOT demo-data --out "$OUT/demo" --resolution "$RES" 2>/dev/null
W=$(python3 -c "print(round(360/$RES))"); H=$(python3 -c "print(round(144/$RES))")
echo "   target grid ${W}x${H} = $(python3 -c "print(round($W*$H/1e6,1))") Mpx"

config() {  # config FILE LAYERDIR TMEAN PRECIP LANDCOVER OUTDIR
  sed -e "s#resolution: 0.05#resolution: $RES#" -e "s#dir: Rasters/derived#dir: $6#" \
      -e "s#Rasters/demo/soc.tif#$2/soc.tif#" -e "s#Rasters/demo/clay.tif#$2/clay.tif#" \
      -e "s#Rasters/demo/silt.tif#$2/silt.tif#" -e "s#Rasters/demo/tmean.tif#$3#" \
      -e "s#Rasters/demo/precip.tif#$4#" -e "s#Rasters/demo/landcover.tif#$5#" Config/hotspot.yaml > "$1"
}

# timed NAME CMD...: the best wall seconds of REPEAT runs and the largest peak RSS (MiB) into $OUT/NAME.time. Dirty
# pages are flushed before each run, so that writing back the previous step's files does not land on this one.
timed() {
  local name=$1; shift
  local best="" peak=0 s kb
  for _ in $(seq "$REPEAT"); do
    sync
    /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" > "$OUT/$name.log" 2>&1 || { cat "$OUT/$name.log"; exit 1; }
    read -r s kb < "$OUT/$name.time"
    if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then best=$s; fi
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  echo "$best $peak" > "$OUT/$name.time"
  printf "   %-34s %7.2f s  %6.0f MiB\n" "$name" "$best" "$(echo "$peak/1024" | bc -l)"
}
secs() { cut -d' ' -f1 "$OUT/$1.time"; }
mib() { echo "$(cut -d' ' -f2 "$OUT/$1.time")/1024" | bc -l; }
sync

echo "== hotspot run (align + score + rank + classify + 5 COGs with overviews + run.json)"
config "$OUT/hotspot.yaml" "$OUT/demo" "$OUT/demo/tmean.tif" "$OUT/demo/precip.tif" "$OUT/demo/landcover.tif" "$OUT/derived"
timed hotspot_run $HOTSPOT run --config "$OUT/hotspot.yaml"

echo "== GDAL chain (gdalwarp x3, gdal_calc.py x2)"
TE="-t_srs EPSG:4326 -te -180 -60 180 84 -ts $W $H"
timed gdalwarp_tmean gdalwarp -q -overwrite $TE -r bilinear "$OUT/demo/tmean.tif" "$OUT/aligned/tmean.tif"
timed gdalwarp_precip gdalwarp -q -overwrite $TE -r bilinear "$OUT/demo/precip.tif" "$OUT/aligned/precip.tif"
timed gdalwarp_landcover gdalwarp -q -overwrite $TE -r mode "$OUT/demo/landcover.tif" "$OUT/aligned/landcover.tif"
CALC=(-A "$OUT/demo/soc.tif" -B "$OUT/demo/clay.tif" -C "$OUT/demo/silt.tif" -D "$OUT/aligned/tmean.tif"
      -E "$OUT/aligned/precip.tif" -F "$OUT/aligned/landcover.tif" --type=Float32 --NoDataValue=-9999 --quiet --overwrite)
timed gdal_calc_rate gdal_calc.py "${CALC[@]}" --outfile "$OUT/aligned/rate.tif" \
  --calc "$($PY Benchmarks/gdal_chain_expressions.py rate Config/landcover/esa_cci.yaml)"
timed gdal_calc_loss gdal_calc.py "${CALC[@]}" --outfile "$OUT/aligned/loss.tif" \
  --calc "$($PY Benchmarks/gdal_chain_expressions.py loss Config/landcover/esa_cci.yaml)"

echo "== hotspot on the aligned stack (scoring step alone, from run.json timings)"
config "$OUT/aligned.yaml" "$OUT/demo" "$OUT/aligned/tmean.tif" "$OUT/aligned/precip.tif" "$OUT/aligned/landcover.tif" "$OUT/derived-aligned"
timed hotspot_run_aligned $HOTSPOT run --config "$OUT/aligned.yaml"
# the best scoring pass of the REPEAT runs
SCORING=$($PY -c "import json,glob;print(min(json.load(open(p))['timings_seconds']['scoring'] for p in glob.glob('$OUT/derived-aligned/2*/run.json')))")

CHAIN=$(echo "$(secs gdalwarp_tmean)+$(secs gdalwarp_precip)+$(secs gdalwarp_landcover)+$(secs gdal_calc_rate)+$(secs gdal_calc_loss)" | bc -l)
CALCS=$(echo "$(secs gdal_calc_rate)+$(secs gdal_calc_loss)" | bc -l)
CHAIN_MIB=$(printf "%s\n" $(mib gdalwarp_tmean) $(mib gdalwarp_precip) $(mib gdalwarp_landcover) $(mib gdal_calc_rate) $(mib gdal_calc_loss) | sort -g | tail -1)
echo "== results (${W}x${H})"
printf "   end to end : hotspot run %.2f s (peak %.0f MiB) vs GDAL chain %.2f s (peak %.0f MiB): %.1fx faster\n" \
  "$(secs hotspot_run)" "$(mib hotspot_run)" "$CHAIN" "$CHAIN_MIB" "$(echo "$CHAIN/$(secs hotspot_run)" | bc -l)"
printf "   scoring    : hotspot scoring pass %.2f s vs gdal_calc.py rate+loss %.2f s: %.1fx faster\n" \
  "$SCORING" "$CALCS" "$(echo "$CALCS/$SCORING" | bc -l)"
printf "   (hotspot's whole run on the aligned stack, ranking + 5 COGs included: %.2f s, %.1fx faster than gdal_calc alone)\n" \
  "$(secs hotspot_run_aligned)" "$(echo "$CALCS/$(secs hotspot_run_aligned)" | bc -l)"
