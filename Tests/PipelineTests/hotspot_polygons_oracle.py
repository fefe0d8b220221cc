#!/usr/bin/python3
"""The hotspot polygons of a run checked independently of the pipeline (test oracle).

Usage: hotspot_polygons_oracle.py RUN_DIR REGIONS.geojson  -> JSON on stdout.

From the class raster alone (numpy over GDAL's reads and rasterisation; pixel areas are the exact areas of
ellipsoidal quadrangles on WGS84): each pixel's region is the region of smallest extent containing its centre
(as documented); per class and region, the pixel area and the area-weighted mean scores. From hotspots.gpkg
(GDAL's Python bindings): each feature's area in EPSG:6933 (equal-area), its validity, and whether any two of its
parts share an edge (the union of its parts has fewer parts than it: they were not dissolved).
"""
import json
import math
import sys

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
run, regions_path = sys.argv[1:3]
A, F = 6378137.0, 1 / 298.257223563
E2 = F * (2 - F)
E = math.sqrt(E2)


def zone(phi):
    s = math.sin(phi)
    return s / (1 - E2 * s * s) + math.log((1 + E * s) / (1 - E * s)) / (2 * E)


def quad_area_km2(lat_top, lat_bottom, dlon_deg):
    return abs(A * A * (1 - E2) * math.radians(dlon_deg) / 2 * (zone(math.radians(lat_top)) - zone(math.radians(lat_bottom)))) / 1e6


classes_ds = gdal.Open(f"{run}/hotspot_class.tif")
gt, w, h = classes_ds.GetGeoTransform(), classes_ds.RasterXSize, classes_ds.RasterYSize
codes = classes_ds.GetRasterBand(1).ReadAsArray()
rows = np.array([quad_area_km2(gt[3] + r * gt[5], gt[3] + (r + 1) * gt[5], gt[1]) for r in range(h)])
area = np.repeat(rows[:, None], w, axis=1)

# Regions: burn the larger extents first so that the smaller ones overwrite them.
vector = ogr.Open(regions_path)
layer = vector.GetLayer(0)
regions = []
for f in layer:
    e = f.GetGeometryRef().GetEnvelope()  # minx, maxx, miny, maxy
    regions.append((f.GetField("id"), (e[1] - e[0]) * (e[3] - e[2])))
zone_ds = gdal.GetDriverByName("MEM").Create("", w, h, 1, gdal.GDT_UInt16)
zone_ds.SetGeoTransform(gt)
zone_ds.SetProjection(classes_ds.GetProjection())
for index, (rid, extent) in sorted(enumerate(regions), key=lambda x: -x[1][1]):
    gdal.Rasterize(zone_ds, regions_path, burnValues=[index + 1], where=f"id = '{rid}'")
zones = zone_ds.GetRasterBand(1).ReadAsArray()

scores = {}
for name in ["sequestration_score", "loss_score"]:
    ds = gdal.Open(f"{run}/{name}.tif")
    band = ds.GetRasterBand(1)
    v = band.ReadAsArray().astype(np.float64)
    scores[name] = (v, np.isfinite(v) & (v != band.GetNoDataValue()))

raster = {}
keys = {1: "sequestration", 2: "loss", 3: "both"}
for code, key in keys.items():
    for z in range(len(regions) + 1):
        mask = (codes == code) & (zones == z)
        if not mask.any():
            continue
        rid = "none" if z == 0 else regions[z - 1][0]
        entry = {"pixels": int(mask.sum()), "area_km2": float(area[mask].sum())}
        for name, (v, ok) in scores.items():
            m = mask & ok
            entry["mean_" + name] = float((v[m] * area[m]).sum() / area[m].sum()) if m.any() else None
        raster[f"{rid}.{key}"] = entry
class_area = {key: float(area[codes == code].sum()) for code, key in keys.items()}

ea = osr.SpatialReference()
ea.ImportFromEPSG(6933)
ea.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
polygons = {}
ds = ogr.Open(f"{run}/hotspots.gpkg")
lyr = ds.GetLayerByName("hotspots")
src = lyr.GetSpatialRef()
src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
ct = osr.CoordinateTransformation(src, ea)
for f in lyr:
    g = f.GetGeometryRef().Clone()
    parts = g.GetGeometryCount()
    union = g.UnionCascaded()
    union_parts = union.GetGeometryCount() if union.GetGeometryType() in (ogr.wkbMultiPolygon, ogr.wkbMultiPolygon25D) else 1
    valid = g.IsValid()
    g.Transform(ct)
    polygons[f.GetField("id")] = {
        "class": f.GetField("class"), "region": f.GetField("region"),
        "area_km2_equal_area": g.GetArea() / 1e6, "valid": bool(valid), "parts": parts, "union_parts": union_parts,
        "fields": {k: f.GetField(k) for k in ["area_km2", "pixels", "pixel_area_km2", "mean_sequestration_score",
                                               "mean_loss_score", "parts"]},
    }
print(json.dumps({"raster": raster, "class_area_km2": class_area, "polygons": polygons}))
