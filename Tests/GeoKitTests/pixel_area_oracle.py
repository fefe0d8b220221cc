#!/usr/bin/python3
"""Areas on the ellipsoid of pixel-sized squares of a projected grid, by quadrature (test oracle for PixelAreas).

Usage: pixel_area_oracle.py < {"crs": "EPSG:3034", "geotransform": [6 numbers], "squares": [[column, row, size], ...],
                               "subdivisions": 16}  ->  [km2, ...]
A square is centred at (column, row) in pixel coordinates and is `size` pixels wide. It is cut into n x n cells whose
corners GDAL's osr takes back to longitude/latitude; each cell's area is half the cross product of its diagonals in
local metres (N cos(phi) per radian east, M per radian north, at the cell's mean latitude), exact for a planar
quadrilateral. Nothing of the product is used: this is first principles, not geodesic polygons.
"""
import json
import sys

import numpy as np
from osgeo import osr

query = json.load(sys.stdin)
source = osr.SpatialReference()
source.SetFromUserInput(query["crs"])
source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
geographic = source.CloneGeogCS()
geographic.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
transform = osr.CoordinateTransformation(source, geographic)
a = source.GetSemiMajor()
inverse_f = source.GetInvFlattening()
e2 = 0.0 if inverse_f == 0 else (1 / inverse_f) * (2 - 1 / inverse_f)
g = query["geotransform"]
n = query.get("subdivisions", 16)

areas = []
for column, row, size in query["squares"]:
    u = np.linspace(column - size / 2, column + size / 2, n + 1)
    v = np.linspace(row - size / 2, row + size / 2, n + 1)
    U, V = np.meshgrid(u, v)
    X = g[0] + U * g[1] + V * g[2]
    Y = g[3] + U * g[4] + V * g[5]
    points = np.array(transform.TransformPoints(np.column_stack([X.ravel(), Y.ravel()]).tolist()))
    lon = np.radians(points[:, 0]).reshape(U.shape)
    lat = np.radians(points[:, 1]).reshape(U.shape)
    mean_lat = (lat[:-1, :-1] + lat[1:, 1:] + lat[:-1, 1:] + lat[1:, :-1]) / 4
    s = np.sin(mean_lat)
    w = np.sqrt(1 - e2 * s * s)
    east = a / w * np.cos(mean_lat)  # metres per radian of longitude
    north = a * (1 - e2) / w ** 3  # metres per radian of latitude
    d1x, d1y = (lon[1:, 1:] - lon[:-1, :-1]) * east, (lat[1:, 1:] - lat[:-1, :-1]) * north
    d2x, d2y = (lon[1:, :-1] - lon[:-1, 1:]) * east, (lat[1:, :-1] - lat[:-1, 1:]) * north
    areas.append(float(np.sum(0.5 * np.abs(d1x * d2y - d1y * d2x))) / 1e6)
print(json.dumps(areas))
