#!/usr/bin/env bash
# Soak test of `hotspot serve` (#14): DURATION of mixed load at CONNECTIONS connections on loopback, with the
# on-demand tile cache bounded small, and a slow-client attack in the middle; prints req/s, p99 and errors of each
# load, and every 5 s the server's RSS, its cache (files, MiB), and how long /health takes. A healthy server keeps
# RSS flat after warm-up, the cache within its bound, and /health fast while the attack runs.
#   points : GET /v1/score?lon=&lat=           (half the connections)
#   tiles  : GET /tiles/<layer>/z/x/y.png?run= (the rest: distinct tiles at zoom 8-10, most rendered, the cache
#            evicting)
#   batches: POST /v1/score, BATCH points each (BATCH_CONNECTIONS=8 connections: within batch_points_in_flight;
#            more make 503s, which wrk retries at once where a client would wait Retry-After)
#   attack : at a third of DURATION, SLOW half-sent requests held for 15 s (Tests/HotspotAPITests/slow_clients.py)
# No peer: this measures staying power, not speed (Benchmarks/api.sh compares speed with TiTiler).
# Usage: Benchmarks/soak.sh
#   env: HOTSPOT=.build/release/hotspot DURATION=60 CONNECTIONS=256 BATCH=2000 BATCH_CONNECTIONS=8 SLOW=3000
#        CACHE_FILES=2000 CACHE_MB=64
set -euo pipefail
cd "$(dirname "$0")/.."
HOTSPOT=${HOTSPOT:-.build/release/hotspot}
LAYER=sequestration_score
OUT=Benchmarks/out/soak
PORT=8183
DURATION=${DURATION:-60} CONNECTIONS=${CONNECTIONS:-256} BATCH=${BATCH:-2000} SLOW=${SLOW:-3000}
CACHE_FILES=${CACHE_FILES:-2000} CACHE_MB=${CACHE_MB:-64}
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
PY=$(head -1 "$(command -v gdal_calc.py)" | sed 's/^#! *//')   # Debian's python, the one with GDAL bindings

command -v wrk >/dev/null || { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
[ -x "$HOTSPOT" ] || swift build -c release --product hotspot
[ -f Rasters/derived/latest/$LAYER.tif ] || make run
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT is already in use: stop that server first" >&2; exit 1; fi
SRC=$(readlink -f Rasters/derived/latest)/$LAYER.tif
RUN_ID=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['run_id'])" "$(dirname "$SRC")/run.json")
rm -rf "$OUT"; mkdir -p "$OUT/config" "$OUT/cache"

# The demo configuration with a small tile cache; ramps, legends and the land mask are found beside it.
sed -e "s/tile_cache_mb: 512/tile_cache_mb: $CACHE_MB/" -e "s/tile_cache_files: 100000/tile_cache_files: $CACHE_FILES/" \
  Config/hotspot.yaml > "$OUT/config/hotspot.yaml"
for d in landcover ramps demo; do ln -s "$PWD/Config/$d" "$OUT/config/$d"; done

echo "== requests: 1000 land points, 40000 distinct tiles at zoom 8-10, batches of $BATCH points; run $RUN_ID"
$PY Benchmarks/lib/requests.py "$SRC" "$OUT" 1000 40000 42 "$RUN_ID" "$LAYER"
awk '{printf "/v1/score?lon=%s&lat=%s\n", $1, $2}' "$OUT/points.txt" > "$OUT/points.paths"
awk -v r="$RUN_ID" -v l=$LAYER '{printf "/tiles/%s/%s/%s/%s.png?run=%s\n", l, $1, $2, $3, r}' "$OUT/tiles.txt" > "$OUT/tiles.paths"
cp Benchmarks/lib/paths.lua "$OUT/paths.lua"
$PY - "$OUT/points.txt" "$BATCH" > "$OUT/batch.json" <<'PYEOF'
import json, sys
points = [[float(a), float(b)] for a, b in (line.split() for line in open(sys.argv[1]))]
print(json.dumps({"points": (points * (int(sys.argv[2]) // len(points) + 1))[:int(sys.argv[2])]}))
PYEOF
cat > "$OUT/batch.lua" <<'LUAEOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open(os.getenv("BATCH_FILE"), "r")
wrk.body = f:read("*a")
f:close()
dofile("Benchmarks/lib/result.lua")
LUAEOF

PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
HOTSPOT_CACHE=$PWD/$OUT/cache LOG_LEVEL=warning $HOTSPOT serve --config "$OUT/config/hotspot.yaml" --port $PORT \
  > "$OUT/server.log" 2>&1 &
SERVER=$!; PIDS+=("$SERVER")
for _ in $(seq 600); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health" || { echo "the server did not start:"; tail "$OUT/server.log"; exit 1; }

# Warm-up (not measured): the run's blocks in GDAL's cache, the handle pools opened.
wrk -t1 -c16 -d10s -s "$OUT/paths.lua" "http://127.0.0.1:$PORT" -- "$OUT/points.paths" 1 > /dev/null 2>&1 || true
rss() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status"; }
echo "== soak: ${DURATION} s at $CONNECTIONS connections; slow-client attack ($SLOW) from $((DURATION / 3)) s"
printf "   %5s %8s %12s %10s %11s\n" "t (s)" "RSS MiB" "cache files" "cache MiB" "/health ms"
{
  for t in $(seq 0 5 "$DURATION"); do
    # The cache changes under find and du (evictions): a vanished file is not an error.
    files=$(find "$OUT/cache" -type f 2>/dev/null | wc -l || true)
    mib=$(du -sm "$OUT/cache" 2>/dev/null | cut -f1 || true)
    ms=$( (curl -s -o /dev/null -w '%{time_total}' --max-time 10 "http://127.0.0.1:$PORT/health" || echo failed) \
      | awk '$1 == "failed" {print "failed"; next} {printf "%.1f", $1 * 1000}')
    printf "   %5d %8s %12s %10s %11s\n" "$t" "$(rss)" "$files" "${mib:-?}" "$ms"
    sleep 5
  done
} &
PIDS+=("$!"); SAMPLER=$!
c_batch=${BATCH_CONNECTIONS:-8} c_points=$((CONNECTIONS / 2)) c_tiles=$((CONNECTIONS - CONNECTIONS / 2 - ${BATCH_CONNECTIONS:-8}))
wrk -t1 -c$c_points -d${DURATION}s --timeout 10s --latency -s "$OUT/paths.lua" "http://127.0.0.1:$PORT" -- "$OUT/points.paths" 1 \
  > "$OUT/points.wrk" 2>&1 &
PIDS+=("$!"); W1=$!
wrk -t1 -c$c_tiles -d${DURATION}s --timeout 10s --latency -s "$OUT/paths.lua" "http://127.0.0.1:$PORT" -- "$OUT/tiles.paths" 1 \
  > "$OUT/tiles.wrk" 2>&1 &
PIDS+=("$!"); W2=$!
BATCH_FILE=$OUT/batch.json wrk -t1 -c$c_batch -d${DURATION}s --timeout 30s --latency -s "$OUT/batch.lua" \
  "http://127.0.0.1:$PORT/v1/score" > "$OUT/batch.wrk" 2>&1 &
PIDS+=("$!"); W3=$!
sleep $((DURATION / 3))
/usr/bin/python3 Tests/HotspotAPITests/slow_clients.py 127.0.0.1 $PORT "$SLOW" 15 > "$OUT/attack.json" 2> "$OUT/attack.err" || true
wait $W1 $W2 $W3 || true
wait $SAMPLER 2>/dev/null || true

echo "== loads (p50/p99 in ms; errors: non-2xx answers, socket errors)"
for name in points tiles batch; do
  line=$(grep '^RESULT' "$OUT/$name.wrk" || echo "RESULT - - - - - -")
  read -r _ rps p50 p99 bad sock n <<< "$line"
  printf "   %-8s %9s req/s  p50 %8s  p99 %8s  %7s requests  %6s non-2xx  %5s socket errors\n" "$name" "$rps" "$p50" "$p99" "$n" "$bad" "$sock"
done
echo "   (batch non-2xx would be 503 + Retry-After beyond server.batch_points_in_flight)"
echo "== slow-client attack: $(cat "$OUT/attack.json" 2>/dev/null || echo "failed: $(tail -3 "$OUT/attack.err")")"
echo "== after: RSS $(rss) MiB; cache $(find "$OUT/cache" -type f | wc -l) files (bound $CACHE_FILES), $(du -sm "$OUT/cache" | cut -f1) MiB (bound $CACHE_MB)"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^hotspot_connections_closed_total' | sed 's/^/   /' || true
