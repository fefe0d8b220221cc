#!/usr/bin/env bash
# Scale-out, measured on this machine and projected to a cluster. At three grid sizes, a run sharded in SHARDS is
# timed phase by phase (each task alone, as a node of a cluster would run it: all cores, peak RSS), against the plain
# unsharded `hotspot run` of the same configuration (the peer making the same products, in the same run).
# From the per-task throughput of the largest grid and the measured fixed costs (rank, publish) it projects a global
# run at SoilGrids' 250 m (159,246 x 58,034 px, 9.24e9) on 8, 32 and 128 nodes like this one.
#
# Usage: Benchmarks/scale.sh [RES_DEG ...]   (default: 0.072 0.036 0.025 = 10, 40, 83 Mpx)
#   env: SHARDS=4  HOTSPOT=.build/release/hotspot  KEEP=1 keeps Benchmarks/out/scale
#        PROJECT_ONLY=1: no measuring, the projection from the grids' rates already in Benchmarks/out/scale
set -euo pipefail
cd "$(dirname "$0")/.."
RESOLUTIONS=${*:-0.072 0.036 0.025}
SHARDS=${SHARDS:-4}
HOTSPOT=${HOTSPOT:-.build/release/hotspot}
OUT=Benchmarks/out/scale
[ -x "$HOTSPOT" ] || swift build -c release --product hotspot
HOTSPOT=$(realpath "$HOTSPOT")
[ -n "${PROJECT_ONLY:-}" ] || { rm -rf "$OUT"; mkdir -p "$OUT"; }

# timed FILE CMD...: wall seconds and peak RSS (KiB) of one command into FILE; its log beside it.
timed() {
  local file=$1; shift
  sync
  /usr/bin/time -f "%e %M" -o "$file" "$@" > "$file.log" 2>&1 || { cat "$file.log"; exit 1; }
}
sum_secs() { awk '{ s += $1 } END { printf "%.2f", s }' "$@"; }
max_secs() { awk '{ if ($1 > m) m = $1 } END { printf "%.2f", m }' "$@"; }
max_mib() { awk '{ if ($2 > m) m = $2 } END { printf "%.0f", m / 1024 }' "$@"; }

printf "%-9s %8s | %8s %6s | %8s %8s %6s | %6s %7s %7s | %6s | %6s\n" "grid" "Mpx" "plain s" "MiB" \
  "score/s" "class/s" "MiB" "rank s" "pub s" "asm s" "ratio" "tiles"
for RES in $RESOLUTIONS; do
  [ -z "${PROJECT_ONLY:-}" ] || break
  D=$OUT/$RES; mkdir -p "$D"
  $HOTSPOT demo-data --out "$D/demo" --resolution "$RES" > /dev/null 2>&1
  sed -e "s#resolution: 0.05#resolution: $RES#" -e "s#dir: Rasters/derived#dir: $D/plain#" \
      -e "s#Rasters/demo/#$D/demo/#" Config/hotspot.yaml > "$D/hotspot.yaml"
  timed "$D/plain.time" "$HOTSPOT" run --config "$D/hotspot.yaml"
  timed "$D/plan.time" "$HOTSPOT" run plan --config "$D/hotspot.yaml" --run-dir "$D/runs/sharded" --shards "$SHARDS"
  for i in $(seq 0 $((SHARDS - 1))); do timed "$D/score-$i.time" "$HOTSPOT" run score --run-dir "$D/runs/sharded" --shard "$i"; done
  timed "$D/rank.time" "$HOTSPOT" run rank --run-dir "$D/runs/sharded"
  for i in $(seq 0 $((SHARDS - 1))); do timed "$D/classify-$i.time" "$HOTSPOT" run classify --run-dir "$D/runs/sharded" --shard "$i"; done
  # The assembled COGs, from a copy of the same shards (a published run is not published again).
  cp -r "$D/runs/sharded" "$D/runs/assembled"
  timed "$D/publish.time" "$HOTSPOT" run publish --run-dir "$D/runs/sharded"
  timed "$D/assemble.time" "$HOTSPOT" run publish --run-dir "$D/runs/assembled" --assemble
  for i in $(seq 0 $((SHARDS - 1))); do
    timed "$D/tiles-$i.time" "$HOTSPOT" tiles --config "$D/hotspot.yaml" --run "$D/runs/sharded" --out "$D/tiles" \
      --zoom 0-6 --layers hotspot_class --shard "$i/$SHARDS"
  done
  timed "$D/tiles-merge.time" "$HOTSPOT" tiles --config "$D/hotspot.yaml" --run "$D/runs/sharded" --out "$D/tiles" \
    --zoom 0-6 --layers hotspot_class --merge
  W=$(awk -v r="$RES" 'BEGIN { printf "%d", 360 / r + 0.5 }'); H=$(awk -v r="$RES" 'BEGIN { printf "%d", 144 / r + 0.5 }')
  PX=$((W * H)); SHARD_PX=$((PX / SHARDS))
  score_rate=$(awk -v px="$SHARD_PX" '{ s += $1; n++ } END { printf "%.0f", px * n / s }' "$D"/score-*.time)
  class_rate=$(awk -v px="$SHARD_PX" '{ s += $1; n++ } END { printf "%.0f", px * n / s }' "$D"/classify-*.time)
  tasks_mib=$(cat "$D"/score-*.time "$D"/classify-*.time "$D/rank.time" "$D/publish.time" "$D"/tiles-*.time "$D/tiles-merge.time" \
    | awk '{ if ($2 > m) m = $2 } END { printf "%.0f", m / 1024 }')
  sharded=$(cat "$D"/plan.time "$D"/score-*.time "$D/rank.time" "$D"/classify-*.time "$D/publish.time" | awk '{ s += $1 } END { print s }')
  printf "%-9s %8.1f | %8.2f %6s | %8.2f %8.2f %6s | %6.2f %7.2f %7.2f | %6.2f | %6.2f\n" "${W}x${H}" \
    "$(echo "$PX / 1000000" | bc -l)" "$(cut -d' ' -f1 "$D/plain.time")" "$(max_mib "$D/plain.time")" \
    "$(echo "$score_rate / 1000000" | bc -l)" "$(echo "$class_rate / 1000000" | bc -l)" "$tasks_mib" \
    "$(cut -d' ' -f1 "$D/rank.time")" "$(cut -d' ' -f1 "$D/publish.time")" "$(cut -d' ' -f1 "$D/assemble.time")" \
    "$(echo "$sharded / $(cut -d' ' -f1 "$D/plain.time")" | bc -l)" "$(sum_secs "$D"/tiles-*.time)"
  echo "$PX $score_rate $class_rate $(cut -d' ' -f1 "$D/rank.time") $(cut -d' ' -f1 "$D/publish.time") $(cut -d' ' -f1 "$D/plan.time")" > "$D/rates"
  [ -n "${KEEP:-}" ] || rm -rf "$D/demo" "$D/plain" "$D/runs" "$D/tiles"
done
echo "   score/s, class/s: Mpx a second of one task on all $(nproc) cores (shard pixels / task seconds, mean of $SHARDS tasks);"
echo "   MiB: the largest peak RSS of any task (score, classify, rank, publish, tile shards and merge);"
echo "   ratio: plan + every score + rank + every classify + publish (VRT), one after another, over the plain run."

# Projection: the largest grid's rates; a node is this machine; one task per node per phase and N = nodes shards.
# wall(n) = plan + P/(n*score) + rank(P) + P/(n*classify) + publish + queueing. rank is one task that reads every
# pixel's rate and loss once more (the exact ranks of tie clusters, see BinRefinement); publish (VRT) grows with the
# grid as well in the measurements (it sets the run up again): both are fitted as a + b*px (least squares over the grids measured) and extrapolated to P. plan
# reads the inputs' headers and is taken as measured. Queueing: 30 s per dependent phase (Slurm's scheduler cycle and job start).
GLOBAL=9241582764   # 159246 x 58034
LARGEST=$(echo "$RESOLUTIONS" | awk '{ print $NF }')
read -r PX SCORE CLASS RANK PUBLISH PLAN < "$OUT/$LARGEST/rates"
# fit COLUMN: "a b" of a + b*px over the grids' rates (least squares; a floored at 0).
fit() {
  cat "$OUT"/*/rates | awk -v c="$1" '{ n++; x += $1; y += $c; xx += $1 * $1; xy += $1 * $c }
    END { b = (n > 1 && n * xx - x * x > 0) ? (n * xy - x * y) / (n * xx - x * x) : y / x; a = (y - b * x) / n
          if (a < 0) { a = 0; b = xy / xx }; printf "%.6f %.6e\n", a, b }'
}
read -r RANK_A RANK_B < <(fit 4)
read -r PUB_A PUB_B < <(fit 5)
for what in "rank $RANK_A $RANK_B" "publish $PUB_A $PUB_B"; do
  set -- $what
  echo "== $1: $2 s + $3 s/px (fit over $(ls "$OUT"/*/rates | wc -l) grids): $(awk -v a="$2" -v b="$3" -v p="$GLOBAL" \
    'BEGIN { printf "%.0f", a + b * p }') s at 250 m"
done
echo "== projection: global 250 m ($GLOBAL px) from the ${PX} px grid's task rates"
for NODES in 8 32 128; do
  awk -v P="$GLOBAL" -v n="$NODES" -v s="$SCORE" -v c="$CLASS" -v ra="$RANK_A" -v rb="$RANK_B" -v pa="$PUB_A" -v pb="$PUB_B" -v pl="$PLAN" 'BEGIN {
    score = P / (n * s); classify = P / (n * c); rank = ra + rb * P; p = pa + pb * P; wall = pl + score + rank + classify + p + 5 * 30
    printf "   %3d nodes: score %6.0f s + rank %4.0f s + classify %6.0f s + plan/publish %3.0f s + queueing 150 s = %5.1f min\n",
      n, score, rank, classify, pl + p, wall / 60 }'
done
