#!/usr/bin/env bash
# The partner directory at scale: 100,000 partners (random points on the globe, seeded) imported into a GeoPackage,
# served by `hotspot serve`, and loaded with wrk on loopback: neighbour queries (radius 100 km, 20 nearest) and
# listings (a 10 x 10 degree box with a theme filter). Prints req/s, p50 and p99 of each, and the import time.
# Usage: Benchmarks/partners.sh   env: HOTSPOT=.build/release/hotspot COUNT=100000 DURATION=15s CONNECTIONS=16
set -euo pipefail
cd "$(dirname "$0")/.."
HOTSPOT=${HOTSPOT:-.build/release/hotspot}
COUNT=${COUNT:-100000} DURATION=${DURATION:-15s} CONNECTIONS=${CONNECTIONS:-16} PORT=8183
OUT=Benchmarks/out/partners
PY=$(head -1 "$(command -v gdal_calc.py)" | sed 's/^#! *//')
rm -rf "$OUT"; mkdir -p "$OUT"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
[ -x "$HOTSPOT" ] || swift build -c release --product hotspot

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
sed -e "s#partners: Config/partners.gpkg#partners: $OUT/partners.gpkg#" Config/hotspot.yaml > "$OUT/hotspot.yaml"
start=$(date +%s.%N)
$HOTSPOT partners import "$OUT/partners.geojson" --replace --config "$OUT/hotspot.yaml" 2>&1 | tail -1
echo "   import: $(echo "$(date +%s.%N) - $start" | bc) s"

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

LOG_LEVEL=warning $HOTSPOT serve --config "$OUT/hotspot.yaml" --port $PORT > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT$(head -1 "$OUT/neighbours.txt")" | $PY -c "import json,sys; d=json.load(sys.stdin); print('   sample neighbours answer:', len(d['features']), 'partners')"

for test in neighbours listings; do
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$OUT/paths.lua" "http://127.0.0.1:$PORT" -- "$OUT/$test.txt" \
    > "$OUT/$test.wrk"
  read -r rps p50 p99 bad < <(grep '^RESULT' "$OUT/$test.wrk" | sed 's/^RESULT //')
  printf "   %-11s %9.1f req/s  p50 %7.2f ms  p99 %7.2f ms  (%s non-2xx)\n" "$test" "$rps" "$p50" "$p99" "$bad"
done
