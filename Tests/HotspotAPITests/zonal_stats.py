"""Zonal statistics of a run over a region, computed independently of the server (test oracle).

Usage: zonal_stats.py RUN_DIR REGIONS.geojson REGION_ID  -> JSON on stdout.
The region mask is GDAL's rasterisation (pixel centres inside); pixel areas are the exact areas of
ellipsoidal quadrangles on WGS84; sums and means are numpy's; area-weighted percentiles are the first value in sorted order whose
cumulative area reaches the share (numpy's cumsum and searchsorted), histograms numpy's with the areas as weights.
"""
import json
import math
import sys

import numpy as np
from osgeo import gdal, ogr

gdal.UseExceptions()
run, regions, region = sys.argv[1:4]
A, F = 6378137.0, 1 / 298.257223563
E2 = F * (2 - F)
E = math.sqrt(E2)


def zone(phi):
    s = math.sin(phi)
    return s / (1 - E2 * s * s) + math.log((1 + E * s) / (1 - E * s)) / (2 * E)


def quad_area_km2(lat_top, lat_bottom, dlon_deg):
    lam = math.radians(dlon_deg)
    return abs(A * A * (1 - E2) * lam / 2 * (zone(math.radians(lat_top)) - zone(math.radians(lat_bottom)))) / 1e6


ref = gdal.Open(f"{run}/sequestration_score.tif")
gt, w, h = ref.GetGeoTransform(), ref.RasterXSize, ref.RasterYSize
mask_ds = gdal.GetDriverByName("MEM").Create("", w, h, 1, gdal.GDT_Byte)
mask_ds.SetGeoTransform(gt)
mask_ds.SetProjection(ref.GetProjection())
gdal.Rasterize(mask_ds, regions, burnValues=[1], where=f"id = '{region}'")
mask = mask_ds.GetRasterBand(1).ReadAsArray() == 1
rows = np.array([quad_area_km2(gt[3] + r * gt[5], gt[3] + (r + 1) * gt[5], gt[1]) for r in range(h)])
area = np.repeat(rows[:, None], w, axis=1)

out = {"area_km2": float(area[mask].sum()), "layers": {}}
for name in ["sequestration_rate_medium", "sequestration_score", "loss_expected", "loss_score"]:
    ds = gdal.Open(f"{run}/{name}.tif")  # keep the dataset alive while its band is used
    band = ds.GetRasterBand(1)
    v = band.ReadAsArray().astype(np.float64)
    ok = mask & np.isfinite(v) & (v != band.GetNoDataValue())
    out["layers"][name] = {
        "mean": float((v[ok] * area[ok]).sum() / area[ok].sum()),
        "min": float(v[ok].min()), "max": float(v[ok].max()), "valid_area_km2": float(area[ok].sum())}
    values, weights = v[ok], area[ok]
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    out["layers"][name]["percentiles"] = {
        f"p{p}": float(values[order][np.searchsorted(cumulative, p / 100 * cumulative[-1], side="left")])
        for p in (5, 25, 50, 75, 95)}
    low, high = float(values.min()), float(values.max())
    if low == high:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(values, bins=20, range=(low, high), weights=weights)
    out["layers"][name]["histogram"] = {"edges": edges.tolist(), "area_km2": counts.tolist()}
classes_ds = gdal.Open(f"{run}/hotspot_class.tif")
classes = classes_ds.GetRasterBand(1).ReadAsArray()
by = [float(area[mask & (classes == k)].sum()) for k in range(4)]
out["valid_area_km2"] = sum(by)
out["hotspots"] = {"none_km2": by[0], "sequestration_km2": by[1] + by[3], "loss_km2": by[2] + by[3], "both_km2": by[3]}
print(json.dumps(out))
