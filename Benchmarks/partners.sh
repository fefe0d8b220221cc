#!/usr/bin/env bash
# The partner directory at scale: 100,000 partners (random points on the globe, seeded) imported into a GeoPackage
# and into PostgreSQL/PostGIS (a cluster made for the run in a temporary folder), each import beside ogr2ogr's of the
# same GeoJSON (the peer: GDAL writing the same table), then loaded with wrk on loopback: neighbour queries (radius
# 100 km, 20 nearest) and listings (a 10 x 10 degree box with a theme filter) against one `hotspot serve` on the
# GeoPackage, one on PostgreSQL, and two on PostgreSQL behind nginx running deploy/nginx/hotspot.conf.
# Prints req/s, p50 and p99 of each, the import times and their ratios.
# Usage: Benchmarks/partners.sh   env: HOTSPOT=.build/release/hotspot COUNT=100000 DURATION=15s CONNECTIONS=16
set -euo pipefail
cd "$(dirname "$0")/.."
HOTSPOT=${HOTSPOT:-.build/release/hotspot}
COUNT=${COUNT:-100000} DURATION=${DURATION:-15s} CONNECTIONS=${CONNECTIONS:-16} PORT=8183 PORT2=8184 PROXY=8185 PGPORT=8186
PGBIN=/usr/lib/postgresql/15/bin
OUT=$PWD/Benchmarks/out/partners
PY=$(head -1 "$(command -v gdal_calc.py)" | sed 's/^#! *//')
rm -rf "$OUT"; mkdir -p "$OUT"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
[ -x $PGBIN/postgres ] && [ -x /usr/sbin/nginx ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15-postgis-3 nginx; }
[ -x "$HOTSPOT" ] || swift build -c release --product hotspot
# The server needs a published run to start: the demo run, made once.
[ -e Rasters/derived/latest/run.json ] || make run

echo "== $COUNT partners"
$PY - "$COUNT" "$OUT" <<'PYEOF'
import json, math, random, sys
count, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
themes = ["soil_carbon_monitoring", "agroforestry", "conservation_agriculture", "grassland_management", "policy", "mrv"]
types = ["research_institute", "ngo", "farmers_organisation", "company", "public_body"]
features, ids = [], []
for i in range(count):
    lon, lat = rng.uniform(-180, 180), math.degrees(math.asin(rng.uniform(-1, 1)))
    pid = f"b-{i:06d}"
    ids.append(pid)
    features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                     "properties": {"id": pid, "name": f"Bench partner {i}", "type": types[i % 5], "country": "FR",
                                    "themes": [themes[i % 6]], "email": f"c{i}@bench.example.org"}})
json.dump({"type": "FeatureCollection", "features": features}, open(f"{out}/partners.geojson", "w"))
with open(f"{out}/neighbours.txt", "w") as f:
    for pid in rng.sample(ids, 2000):
        f.write(f"/v1/partners/{pid}/neighbours?radius_km=100&limit=20\n")
with open(f"{out}/listings.txt", "w") as f:
    for _ in range(2000):
        w, s = rng.uniform(-180, 170), rng.uniform(-60, 70)
        f.write(f"/v1/partners?bbox={w:.3f},{s:.3f},{w + 10:.3f},{s + 10:.3f}&theme=policy\n")
PYEOF

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$OUT/nginx/nginx.pid" ] && kill -QUIT "$(cat "$OUT/nginx/nginx.pid")" 2>/dev/null || true
  [ -d "$OUT/pg/data" ] && $AS_PG $PGBIN/pg_ctl -D "$OUT/pg/data" -m fast stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
AS_PG=""; [ "$(id -u)" = 0 ] && AS_PG="runuser -u postgres --"
mkdir -p "$OUT/pg"; [ -n "$AS_PG" ] && chown postgres "$OUT/pg"
$AS_PG $PGBIN/initdb -D "$OUT/pg/data" -A trust -U hotspot --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
$AS_PG $PGBIN/pg_ctl -D "$OUT/pg/data" -l "$OUT/pg/server.log" -w \
  -o "-p $PGPORT -k $OUT/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
PSQL="$PGBIN/psql -h 127.0.0.1 -p $PGPORT -U hotspot -qAt"
for db in hotspot peer; do $PSQL -d postgres -c "CREATE DATABASE $db"; $PSQL -d $db -c "CREATE EXTENSION postgis"; done
PG="PG:host=127.0.0.1 port=$PGPORT user=hotspot dbname=hotspot"

timed() { local start; start=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $start" | bc; }
config() { sed -e "s#partners: Config/partners.gpkg#partners: \"$1\"#" Config/hotspot.yaml > "$2"; }
config "$OUT/partners.gpkg" "$OUT/gpkg.yaml"
config "$PG" "$OUT/pg.yaml"

echo "== import of $COUNT partners (hotspot partners import, then ogr2ogr of the same GeoJSON)"
gpkg=$(timed $HOTSPOT partners import "$OUT/partners.geojson" --replace --config "$OUT/gpkg.yaml")
peer_gpkg=$(timed ogr2ogr -f GPKG "$OUT/peer.gpkg" "$OUT/partners.geojson" -nln partners)
printf "   GeoPackage  %7.2f s   ogr2ogr %7.2f s   ratio %.2f\n" "$gpkg" "$peer_gpkg" "$(echo "$peer_gpkg / $gpkg" | bc -l)"
pg=$(timed $HOTSPOT partners import "$OUT/partners.geojson" --replace --config "$OUT/pg.yaml")
peer_pg=$(timed ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$PGPORT user=hotspot dbname=peer" "$OUT/partners.geojson" -nln partners)
printf "   PostgreSQL  %7.2f s   ogr2ogr %7.2f s   ratio %.2f\n" "$pg" "$peer_pg" "$(echo "$peer_pg / $pg" | bc -l)"
echo "   rows in PostgreSQL: $($PSQL -d hotspot -c 'SELECT count(*) FROM partners')"

cat > "$OUT/paths.lua" <<'LUAEOF'
function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = math.random(#paths)
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.3f %.3f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
LUAEOF

serve() {  # config port: starts a replica and waits for it
  LOG_LEVEL=warning $HOTSPOT serve --config "$1" --port "$2" > "$OUT/serve-$2.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$2/health" >/dev/null && return; sleep 0.2; done
  echo "hotspot serve on port $2 did not start: $(tail -3 "$OUT/serve-$2.log")"; exit 1
}
load() {  # label port
  curl -sf "http://127.0.0.1:$2$(head -1 "$OUT/neighbours.txt")" > /dev/null
  for test in neighbours listings; do
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$OUT/paths.lua" "http://127.0.0.1:$2" -- "$OUT/$test.txt" \
      > "$OUT/$1-$test.wrk"
    read -r rps p50 p99 bad < <(grep '^RESULT' "$OUT/$1-$test.wrk" | sed 's/^RESULT //')
    printf "   %-24s %-11s %9.1f req/s  p50 %7.2f ms  p99 %7.2f ms  (%s non-2xx)\n" "$1" "$test" "$rps" "$p50" "$p99" "$bad"
  done
}
stop_replicas() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; PIDS=(); }

echo "== neighbours and listings ($CONNECTIONS connections, $DURATION each)"
serve "$OUT/gpkg.yaml" $PORT
load "GeoPackage, 1 replica" $PORT
stop_replicas
serve "$OUT/pg.yaml" $PORT
load "PostgreSQL, 1 replica" $PORT
serve "$OUT/pg.yaml" $PORT2
# The deployed nginx configuration with this benchmark's ports and folders (as Tests/HotspotAPITests/ReplicaTests.swift).
mkdir -p "$OUT/nginx"; chmod 777 "$OUT/nginx"
{ echo "pid $OUT/nginx/nginx.pid;"
  sed -e "s#server 127.0.0.1:8081#server 127.0.0.1:$PORT#" -e "s#server 127.0.0.1:8082#server 127.0.0.1:$PORT2#" \
      -e "s#listen 127.0.0.1:8080#listen 127.0.0.1:$PROXY#" -e "s#/var/log/nginx/hotspot#$OUT/nginx/hotspot#g" \
      -e "s#/var/cache/nginx/hotspot#$OUT/nginx/cache#" \
      -e "s#^http {#http {\n    client_body_temp_path $OUT/nginx/body; proxy_temp_path $OUT/nginx/proxy;\n    fastcgi_temp_path $OUT/nginx/fastcgi; uwsgi_temp_path $OUT/nginx/uwsgi; scgi_temp_path $OUT/nginx/scgi;#" \
      deploy/nginx/hotspot.conf; } > "$OUT/nginx/hotspot.conf"
/usr/sbin/nginx -p "$OUT/nginx" -e "$OUT/nginx/startup.log" -c "$OUT/nginx/hotspot.conf"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PROXY/health" >/dev/null && break; sleep 0.2; done
load "PostgreSQL, 2 behind nginx" $PROXY
# Each replica's own count of what it answered (its /metrics), for the share nginx gave it.
answered() { curl -sf "http://127.0.0.1:$1/metrics" | awk '/^hotspot_http_requests_total/ && /neighbours|partners/ {n += $NF} END {printf "%d", n}'; }
echo "   answered by each replica: $(answered $PORT) and $(answered $PORT2) (the first also took the 1-replica run)"
