#!/usr/bin/env bash
# Times `hotspot run` against a GDAL + numpy chain that makes the same products on the same inputs, in one run, and
# prints the ratio and the peak memory of each.
#   Chain: gdalwarp for the misaligned layers (monthly climate: bilinear in Float32; land cover: mode), then the numpy
#   RothC of Tests/PipelineTests/rothc_oracle.py (vectorised over pixels, blocks of rows) for the three scenario rates
#   and the warming loss. The chain makes no scores, classes or COGs: hotspot does more work than its peer.
#   Note: the numpy peer time-steps the scenarios month by month (240 steps each), where hotspot uses closed forms.
# Every hotspot step runs REPEAT times (default 3) and keeps its best time; the numpy peer runs once (minutes).
# Usage: Benchmarks/pipeline.sh [RESOLUTION_DEG]   (default 0.1: 3600 x 1440 = 5.2 Mpx; 0.05 is the 20.7 Mpx demo grid)
#   env: REPEAT=3
set -euo pipefail
cd "$(dirname "$0")/.."
RES=${1:-0.1}
REPEAT=${REPEAT:-3}
HOTSPOT=${HOTSPOT:-.build/release/hotspot}
PY=$(head -1 "$(command -v gdal_calc.py)" | sed 's/^#! *//')   # Debian's python, the one with GDAL bindings
OUT=Benchmarks/out/pipeline-$RES
rm -rf "$OUT"; mkdir -p "$OUT"/{demo,aligned,derived,derived-aligned}
[ -x "$HOTSPOT" ] || swift build -c release --product hotspot

echo "== inputs: demo data at $RES deg"
$HOTSPOT demo-data --out "$OUT/demo" --resolution "$RES" 2>/dev/null
W=$(python3 -c "print(round(360/$RES))"); H=$(python3 -c "print(round(144/$RES))")
echo "   target grid ${W}x${H} = $(python3 -c "print(round($W*$H/1e6,1))") Mpx"

config() {  # config FILE LAYERDIR OUTDIR
  sed -e "s#resolution: 0.05#resolution: $RES#" -e "s#dir: Rasters/derived#dir: $3#" \
      -e "s#Rasters/demo/#$2/#" Config/hotspot.yaml > "$1"
}

# timed NAME CMD...: the best wall seconds of REPEAT runs and the largest peak RSS (MiB) into $OUT/NAME.time. Dirty
# pages are flushed before each run, so that writing back the previous step's files does not land on this one.
timed() {
  local name=$1; shift
  local best="" peak=0 s kb
  for _ in $(seq "${TIMES:-$REPEAT}"); do
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

echo "== hotspot run (align + RothC scenarios + rank + classify + 7 COGs with overviews + run.json)"
config "$OUT/hotspot.yaml" "$OUT/demo" "$OUT/derived"
timed hotspot_run $HOTSPOT run --config "$OUT/hotspot.yaml"

echo "== GDAL + numpy chain (gdalwarp x4, numpy RothC)"
TE="-t_srs EPSG:4326 -te -180 -60 180 84 -ts $W $H"
for L in tmean precip pet; do
  timed gdalwarp_$L gdalwarp -q -overwrite $TE -r bilinear -ot Float32 -wt Float32 "$OUT/demo/$L.tif" "$OUT/aligned/$L.tif"
done
timed gdalwarp_landcover gdalwarp -q -overwrite $TE -r mode "$OUT/demo/landcover.tif" "$OUT/aligned/landcover.tif"
$PY -c "import yaml,json;c=yaml.safe_load(open('Config/landcover/esa_cci.yaml'))['classes'];json.dump({str(k):v['group'] for k,v in c.items()},open('$OUT/groups.json','w'))"
TIMES=1 timed numpy_rothc $PY Tests/PipelineTests/rothc_oracle.py --soc "$OUT/demo/soc.tif" --soc-scale 0.1 \
  --clay "$OUT/demo/clay.tif" --clay-scale 0.1 --tmean "$OUT/aligned/tmean.tif" --precip "$OUT/aligned/precip.tif" \
  --pet "$OUT/aligned/pet.tif" --landcover "$OUT/aligned/landcover.tif" --groups "$OUT/groups.json" --out "$OUT/numpy"

CHAIN=$(echo "$(secs gdalwarp_tmean)+$(secs gdalwarp_precip)+$(secs gdalwarp_pet)+$(secs gdalwarp_landcover)+$(secs numpy_rothc)" | bc -l)
CHAIN_MIB=$(printf "%s\n" $(mib gdalwarp_tmean) $(mib gdalwarp_precip) $(mib gdalwarp_pet) $(mib gdalwarp_landcover) $(mib numpy_rothc) | sort -g | tail -1)
echo "== results (${W}x${H})"
printf "   end to end : hotspot run %.2f s (peak %.0f MiB) vs GDAL + numpy chain %.2f s (peak %.0f MiB): %.1fx faster\n" \
  "$(secs hotspot_run)" "$(mib hotspot_run)" "$CHAIN" "$CHAIN_MIB" "$(echo "$CHAIN/$(secs hotspot_run)" | bc -l)"
