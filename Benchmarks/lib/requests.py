"""Seeded requests for the load benchmarks (api.sh, soak.sh): land points of a run's raster, and distinct tiles
at zoom 8-10 that are not pre-rendered. Writes points.txt and tiles.txt into OUT.
Usage: requests.py SRC OUT POINTS TILES SEED RUN_ID LAYER (Debian's python, with GDAL and numpy)"""
import math, os, sys
import numpy as np
from osgeo import gdal
src, out, n_points, n_tiles, seed, run_id, layer = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
ds = gdal.Open(src)
band = ds.GetRasterBand(1)
data, nodata = band.ReadAsArray(), band.GetNoDataValue()
x0, dx, _, y0, _, dy = ds.GetGeoTransform()
valid = np.isfinite(data) & (data != nodata)
rng = np.random.default_rng(seed)

def land_points(n):
    """n seeded points in lon [-120, 150], lat [-50, 70] whose pixel has data (4 decimals, the pixel of the rounded point)."""
    found = []
    while len(found) < n:
        lon = np.round(rng.uniform(-120, 150, 4 * n), 4)
        lat = np.round(rng.uniform(-50, 70, 4 * n), 4)
        col = np.floor((lon - x0) / dx).astype(int)
        row = np.floor((lat - y0) / dy).astype(int)
        ok = valid[row, col]
        found += list(zip(lon[ok], lat[ok]))
    return found[:n]

points = land_points(n_points)
with open(os.path.join(out, "points.txt"), "w") as f:
    f.writelines(f"{lon:.4f} {lat:.4f}\n" for lon, lat in points)

def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)

tiles, seen = [], set()
for _ in range(20):  # a bounded search: there are only so many land tiles at zoom 8
    if len(tiles) == n_tiles:
        break
    for lon, lat in land_points(n_tiles):
        z = int(rng.integers(8, 11))
        x, y = tile(lon, lat, z)
        if (z, x, y) in seen or os.path.exists(f"Tiles/{layer}/{z}/{x}/{y}.png"):
            continue
        seen.add((z, x, y)); tiles.append((z, x, y))
        if len(tiles) == n_tiles:
            break
with open(os.path.join(out, "tiles.txt"), "w") as f:
    f.writelines(f"{z} {x} {y}\n" for z, x, y in tiles)
print(f"   {len(points)} points, {len(tiles)} tiles ({sum(t[0] == 8 for t in tiles)} z8, "
      f"{sum(t[0] == 9 for t in tiles)} z9, {sum(t[0] == 10 for t in tiles)} z10)")
