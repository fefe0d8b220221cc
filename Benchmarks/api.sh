#!/usr/bin/env bash
# Load-tests `hotspot serve` against TiTiler (the reference COG tile server) on loopback with wrk, in one run, and
# prints req/s, p50 and p99 of each and the ratios.
#   points         : GET /v1/score?lon=&lat=            vs  TiTiler /cog/point/{lon},{lat}?url=<COG>
#   tiles on demand: GET /tiles/<layer>/z/x/y.png?run=  vs  TiTiler /cog/tiles/WebMercatorQuad/z/x/y.png?url=<COG>
#                    (zoom 8-10, not pre-rendered; hotspot renders into a fresh HOTSPOT_CACHE so each tile is
#                    rendered once; many distinct tiles so that most requests render. TiTiler renders every request)
#   tiles on disk  : GET /tiles/<layer>/5/x/y.png (pre-rendered under Tiles/; hotspot only)
# Both servers get the same requests: seeded pseudo-random land points in lon [-120, 150], lat [-50, 70], and the
# tiles containing other such points. wrk, the servers and the load all share the 2 cores.
# TiTiler is given its best setup: uvicorn[standard] (uvloop, httptools), 2 workers, no access log,
# GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR; its tiles are drawn as ours are: colour map ylgn (ColorBrewer YlGn, the
# ramp of Config/ramps/score_greens.yaml) over rescale=0,100, bilinear sampling (resampling and reproject).
# Each test: wrk -t2 -c64 -d15s --latency --timeout 10s (the default 2 s timeout would cut TiTiler's tile latencies).
# Point tests are preceded by a WARMUP (5 s) of the same requests, not counted, for both servers: a server that has
# just started opens its datasets and fills its block cache first (ours: ~1,000 blocks of 11 rasters, about 2 s on
# 2 cores). Tile tests get no warm-up: it would pre-render the very tiles the measured run then asks for.
# Usage: Benchmarks/api.sh                         (15 s a test at 64 connections)
#   env: HOTSPOT=.build/release/hotspot DURATION=15s WARMUP=5s CONNECTIONS=64 THREADS=2 POINTS=1000 TILES=50000 SEED=42 BENCH_ONLY=ours|titiler
set -euo pipefail
cd "$(dirname "$0")/.."
HOTSPOT=${HOTSPOT:-.build/release/hotspot}
LAYER=sequestration_score
OUT=Benchmarks/out/api
VENV=Benchmarks/out/titiler-venv
TITILER_VERSION=${TITILER_VERSION:-2.4.0}
OURS_PORT=8181 TITILER_PORT=8182
DURATION=${DURATION:-15s} WARMUP=${WARMUP:-5s} CONNECTIONS=${CONNECTIONS:-64} THREADS=${THREADS:-2}
POINTS=${POINTS:-1000} TILES=${TILES:-50000} SEED=${SEED:-42}
BENCH_ONLY=${BENCH_ONLY:-}
case "$BENCH_ONLY" in ""|ours|titiler) ;; *) echo "BENCH_ONLY must be ours or titiler" >&2; exit 2 ;; esac
run_ours() { [ "$BENCH_ONLY" != titiler ]; }
run_titiler() { [ "$BENCH_ONLY" != ours ]; }
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
PY=$(head -1 "$(command -v gdal_calc.py)" | sed 's/^#! *//')   # Debian's python, the one with GDAL bindings

missing=""
command -v wrk >/dev/null || missing="$missing wrk"
python3 -c "import ensurepip" 2>/dev/null || missing="$missing python3-venv"
if [ -n "$missing" ]; then
  echo "installing:$missing"
  # shellcheck disable=SC2086  # one word a package
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
if run_ours; then [ -x "$HOTSPOT" ] || swift build -c release --product hotspot; fi
[ -f Rasters/derived/latest/$LAYER.tif ] || make run
if run_ours; then [ -d Tiles/$LAYER/5 ] || make tiles; fi
SRC=$(readlink -f Rasters/derived/latest)/$LAYER.tif
RUN_ID=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['run_id'])" "$(dirname "$SRC")/run.json")
rm -rf "$OUT"; mkdir -p "$OUT"

for port in $OURS_PORT $TITILER_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is already in use: stop that server first" >&2; exit 1; fi
done

# stop PID: SIGTERM, then SIGKILL after 5 s (a server that hangs in its graceful shutdown must not hang the script)
stop() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop "$pid"; done
  [ -z "${TILE_CACHE:-}" ] || rm -rf "$TILE_CACHE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for NAME URL PID LOG: until URL answers 200 (60 s at most), or the server has exited.
wait_for() {
  for _ in $(seq 600); do
    curl -fsS -o /dev/null "$2" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { echo "$1 exited:"; tail -20 "$4"; exit 1; }
    sleep 0.1
  done
  echo "$1 did not answer $2 within 60 s:"; tail -20 "$4"; exit 1
}

echo "== requests: $POINTS land points, $TILES distinct tiles at zoom 8-10 (seed $SEED), run $RUN_ID"
$PY Benchmarks/lib/requests.py "$SRC" "$OUT" "$POINTS" "$TILES" "$SEED" "$RUN_ID" "$LAYER"

ENC_SRC=$($PY -c "import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe='/'))" "$SRC")
awk '{printf "/v1/score?lon=%s&lat=%s\n", $1, $2}' "$OUT/points.txt" > "$OUT/ours-points.paths"
awk -v r="$RUN_ID" -v l=$LAYER '{printf "/tiles/%s/%s/%s/%s.png?run=%s\n", l, $1, $2, $3, r}' "$OUT/tiles.txt" > "$OUT/ours-tiles.paths"
find Tiles/$LAYER/5 -name '*.png' | sort | sed 's#^Tiles#/tiles#' > "$OUT/ours-prerendered.paths"
awk -v u="$ENC_SRC" '{printf "/cog/point/%s,%s?url=%s\n", $1, $2, u}' "$OUT/points.txt" > "$OUT/titiler-points.paths"
awk -v u="$ENC_SRC" '{printf "/cog/tiles/WebMercatorQuad/%s/%s/%s.png?url=%s&rescale=0,100&colormap_name=ylgn&resampling=bilinear&reproject=bilinear\n", $1, $2, $3, u}' \
  "$OUT/tiles.txt" > "$OUT/titiler-tiles.paths"

# wrk script: each thread takes every THREADS-th path of the file (so no two threads ask for the same tile) and cycles
# through them; done() prints one RESULT line: req/s, p50 ms, p99 ms, non-2xx/3xx answers, socket errors, requests.
cp Benchmarks/lib/paths.lua "$OUT/paths.lua"

# warm PORT PATHS: the requests of a test for WARMUP, not measured.
warm() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout 10s -s "$OUT/paths.lua" "http://127.0.0.1:$1" -- "$2" "$THREADS" \
    > /dev/null 2>&1 || true
}
# bench NAME PORT PATHS: wrk at CONNECTIONS connections for DURATION; results into $OUT/NAME.result
bench() {
  local name=$1 port=$2 paths=$3
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "$OUT/paths.lua" \
    "http://127.0.0.1:$port" -- "$paths" "$THREADS" > "$OUT/$name.wrk" 2>&1 || { cat "$OUT/$name.wrk"; exit 1; }
  grep '^RESULT' "$OUT/$name.wrk" > "$OUT/$name.result" || { echo "no result from wrk:"; cat "$OUT/$name.wrk"; exit 1; }
  sed -i 's/^RESULT //' "$OUT/$name.result"
  read -r rps p50 p99 bad sock n < "$OUT/$name.result"
  printf "   %-24s %9.1f req/s  p50 %8.2f ms  p99 %8.2f ms  (%d requests" "$name" "$rps" "$p50" "$p99" "$n"
  [ "$bad" = 0 ] && [ "$sock" = 0 ] && echo ")" || echo "; $bad non-2xx, $sock socket errors: see $OUT/$name.wrk)"
}

# check NAME URL TYPE: one request must answer 200 with that content type, or the figures would measure errors.
check() {
  local got
  got=$(curl -sS -o "$OUT/$1.check" -w '%{http_code} %{content_type}' "$2") || { echo "$1: $2 failed" >&2; exit 1; }
  case "$got" in "200 $3"*) ;; *) echo "$1: $2 answered $got:" >&2; head -c 500 "$OUT/$1.check" >&2; echo >&2; exit 1 ;; esac
}

if run_ours; then
  echo "== hotspot serve (port $OURS_PORT)"
  TILE_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/hotspot-tile-cache.XXXXXX")
  # a fresh cache (tiles rendered on demand, downloads), and no access log (TiTiler runs without one either)
  HOTSPOT_CACHE=$TILE_CACHE HOTSPOT_TILE_CACHE=$TILE_CACHE LOG_LEVEL=warning \
    $HOTSPOT serve --port $OURS_PORT > "$OUT/ours.log" 2>&1 &
  OURS_PID=$!; PIDS+=("$OURS_PID")
  wait_for "hotspot serve" "http://127.0.0.1:$OURS_PORT/health" "$OURS_PID" "$OUT/ours.log"
  SERVED=$(curl -fsS "http://127.0.0.1:$OURS_PORT/health" | $PY -c "import json,sys; print(json.load(sys.stdin)['run_id'])")
  [ "$SERVED" = "$RUN_ID" ] || { echo "hotspot serves run $SERVED, Rasters/derived/latest is $RUN_ID" >&2; exit 1; }
  check ours-point "http://127.0.0.1:$OURS_PORT$(head -1 "$OUT/ours-points.paths")" application/json
  check ours-prerendered "http://127.0.0.1:$OURS_PORT$(head -1 "$OUT/ours-prerendered.paths")" image/png
  # the check renders one tile: take it from the end of the list, which the load will hardly reach
  check ours-tile "http://127.0.0.1:$OURS_PORT$(tail -1 "$OUT/ours-tiles.paths")" image/png
  warm $OURS_PORT "$OUT/ours-points.paths"
  bench ours-points $OURS_PORT "$OUT/ours-points.paths"
  bench ours-prerendered $OURS_PORT "$OUT/ours-prerendered.paths"
  # the server reads Tiles/ only when its pyramid was rendered from this run by the current renderer
  RERENDERED=$(find "$TILE_CACHE" -path "*/$LAYER/5/*" -name '*.png' | wc -l)
  [ "$RERENDERED" = 0 ] || echo "   warning: the server did not use Tiles/$LAYER ($RERENDERED z5 tiles rendered into its cache," \
    "then served from there): rerun \`hotspot tiles\` for a pre-rendered figure"
  bench ours-tiles $OURS_PORT "$OUT/ours-tiles.paths"
  CACHED=$(find "$TILE_CACHE" -type f | wc -l)
  TILE_REQUESTS=$(cut -d' ' -f6 "$OUT/ours-tiles.result")
  echo "   ($CACHED files in the fresh HOTSPOT_CACHE after $TILE_REQUESTS on-demand requests over $TILES distinct tiles)"
  [ "$TILE_REQUESTS" -le "$TILES" ] || echo "   warning: more requests than distinct tiles, so some were cache hits: raise TILES"
  stop "$OURS_PID"
fi

if run_titiler; then
  echo "== TiTiler $TITILER_VERSION (uvicorn, 2 workers, port $TITILER_PORT)"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "titiler.core==$TITILER_VERSION" "uvicorn[standard]" > "$OUT/pip.log" 2>&1 \
    || { cat "$OUT/pip.log"; exit 1; }
  if "$VENV/bin/pip" install -q --disable-pip-version-check "titiler.application==$TITILER_VERSION" >> "$OUT/pip.log" 2>&1; then
    APP=titiler.application.main:app APP_DIR=.
  else   # titiler.core alone: the same COG endpoints, mounted as titiler.application mounts them
    echo "   (titiler.application not installable: serving titiler.core's TilerFactory at /cog)"
    cat > "$OUT/titiler_app.py" <<'PYEOF'
from fastapi import FastAPI
from titiler.core.factory import TilerFactory
from titiler.core.errors import DEFAULT_STATUS_CODES, add_exception_handlers

app = FastAPI(title="TiTiler (titiler.core)")
app.include_router(TilerFactory(router_prefix="/cog").router, prefix="/cog")
add_exception_handlers(app, DEFAULT_STATUS_CODES)

@app.get("/healthz")
def healthz():
    return {"ok": True}
PYEOF
    APP=titiler_app:app APP_DIR=$OUT
  fi
  GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR "$VENV/bin/uvicorn" "$APP" --app-dir "$APP_DIR" --host 127.0.0.1 \
    --port $TITILER_PORT --workers 2 --no-access-log --log-level warning > "$OUT/titiler.log" 2>&1 &
  TITILER_PID=$!; PIDS+=("$TITILER_PID")
  wait_for TiTiler "http://127.0.0.1:$TITILER_PORT/healthz" "$TITILER_PID" "$OUT/titiler.log"
  curl -fsS "http://127.0.0.1:$TITILER_PORT/healthz" | $PY -c \
    "import json,sys; v=json.load(sys.stdin).get('versions',{}); print('   ' + ', '.join(f'{k} {v[k]}' for k in ('titiler','rasterio','gdal') if k in v))"
  check titiler-point "http://127.0.0.1:$TITILER_PORT$(head -1 "$OUT/titiler-points.paths")" application/json
  check titiler-tile "http://127.0.0.1:$TITILER_PORT$(tail -1 "$OUT/titiler-tiles.paths")" image/png
  warm $TITILER_PORT "$OUT/titiler-points.paths"
  bench titiler-points $TITILER_PORT "$OUT/titiler-points.paths"
  bench titiler-tiles $TITILER_PORT "$OUT/titiler-tiles.paths"
fi

# The table: one row a test, ours and TiTiler side by side, ratio of req/s and the target.
field() { [ -f "$OUT/$1.result" ] && cut -d' ' -f"$2" "$OUT/$1.result" || echo -; }
ratio() { if [ "$1" = - ] || [ "$2" = - ] || [ "$(echo "$2 <= 0" | bc -l)" = 1 ]; then echo -; else printf "%.1fx" "$(echo "$1 / $2" | bc -l)"; fi; }
num() { [ "$1" = - ] && printf "%9s" - || printf "%9.${2:-1}f" "$1"; }
verdict() {  # verdict RATIO_MIN OURS TITILER [P99_MAX OURS_P99]
  if [ "$2" = - ] || [ "$3" = - ]; then echo "not measured"; return; fi
  local ok=1
  [ "$(echo "$2 / $3 >= $1" | bc -l)" = 1 ] || ok=0
  [ -z "${4:-}" ] || [ "$(echo "$5 <= $4" | bc -l)" = 1 ] || ok=0
  [ $ok = 1 ] && echo met || echo "NOT met"
}
echo "== results ($CONNECTIONS connections, $DURATION each; p50/p99 in ms)"
printf "   %-16s %9s %9s %9s | %9s %9s %9s | %7s  %s\n" test "ours r/s" p50 p99 "TiTiler" p50 p99 ratio target
row() {  # row LABEL OURS TITILER TARGET_TEXT VERDICT
  printf "   %-16s %s %s %s | %s %s %s | %7s  %s\n" "$1" "$(num "$(field "$2" 1)")" "$(num "$(field "$2" 2)" 2)" \
    "$(num "$(field "$2" 3)" 2)" "$(num "$(field "$3" 1)")" "$(num "$(field "$3" 2)" 2)" "$(num "$(field "$3" 3)" 2)" \
    "$(ratio "$(field "$2" 1)" "$(field "$3" 1)")" "$4${5:+: $5}"
}
row points ours-points titiler-points ">= 20x, our p99 <= 5 ms" \
  "$(verdict 20 "$(field ours-points 1)" "$(field titiler-points 1)" 5 "$(field ours-points 3)")"
row "tiles on demand" ours-tiles titiler-tiles ">= 5x" "$(verdict 5 "$(field ours-tiles 1)" "$(field titiler-tiles 1)")"
row "tiles on disk" ours-prerendered none "(hotspot only: pre-rendered z5)" ""
