#!/usr/bin/env python3
"""Writes the hand-made samples in valid/ and invalid/ (run once; the JSON files are committed)."""
import copy
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJ = "https://stac-extensions.github.io/projection/v2.0.0/schema.json"
RASTER = "https://stac-extensions.github.io/raster/v1.1.0/schema.json"
FILE = "https://stac-extensions.github.io/file/v2.1.0/schema.json"
CHECKSUM = "1220" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"  # multihash sha2-256 of b""

catalog = {
    "type": "Catalog",
    "stac_version": "1.1.0",
    "stac_extensions": [FILE],
    "id": "hotspot-runs",
    "title": "Hotspot runs",
    "description": "Published runs of the hotspot pipeline.",
    "links": [
        {"rel": "root", "href": "./catalog.json", "type": "application/json"},
        {"rel": "self", "href": "https://example.test/stac/catalog.json", "type": "application/json"},
        {"rel": "child", "href": "./hotspot/collection.json", "type": "application/json",
         "file:size": 2048, "file:checksum": CHECKSUM},
    ],
}

collection = {
    "type": "Collection",
    "stac_version": "1.1.0",
    "stac_extensions": [PROJ, RASTER, FILE],
    "id": "hotspot",
    "title": "Hotspot scores",
    "description": "Per-pixel hotspot scores.",
    "license": "CC-BY-4.0",
    "keywords": ["hotspot", "raster"],
    "providers": [{"name": "Example", "roles": ["producer", "processor"], "url": "https://example.test"}],
    "extent": {
        "spatial": {"bbox": [[-180.0, -60.0, 180.0, 84.0]]},
        "temporal": {"interval": [["2024-01-01T00:00:00Z", None]]},
    },
    "summaries": {"proj:code": ["EPSG:4326"], "gsd": [5566.0]},
    "item_assets": {
        "score": {"type": "image/tiff; application=geotiff; profile=cloud-optimized", "roles": ["data"],
                  "proj:code": "EPSG:4326", "file:byte_order": "little-endian"},
    },
    "assets": {
        "landmask": {
            "href": "./landmask.tif",
            "type": "image/tiff; application=geotiff",
            "roles": ["metadata"],
            "proj:code": "EPSG:4326",
            "proj:shape": [2880, 7200],
            "proj:transform": [0.05, 0.0, -180.0, 0.0, -0.05, 84.0],
            "raster:bands": [{"data_type": "uint8", "nodata": 255, "sampling": "area",
                              "statistics": {"minimum": 0, "maximum": 2}}],
            "file:size": 123456,
            "file:checksum": CHECKSUM,
        }
    },
    "links": [
        {"rel": "root", "href": "../catalog.json", "type": "application/json"},
        {"rel": "parent", "href": "../catalog.json", "type": "application/json"},
        {"rel": "item", "href": "./2024-06-01/2024-06-01.json", "type": "application/geo+json"},
        {"rel": "license", "href": "https://creativecommons.org/licenses/by/4.0/", "type": "text/html"},
    ],
}

item = {
    "type": "Feature",
    "stac_version": "1.1.0",
    "stac_extensions": [PROJ, RASTER, FILE],
    "id": "2024-06-01",
    "collection": "hotspot",
    "bbox": [-10.0, 35.0, 30.0, 60.0],
    "geometry": {"type": "Polygon", "coordinates": [[[-10.0, 35.0], [30.0, 35.0], [30.0, 60.0], [-10.0, 60.0],
                                                     [-10.0, 35.0]]]},
    "properties": {
        "datetime": "2024-06-01T00:00:00Z",
        "created": "2024-06-02T03:04:05.678Z",
        "proj:code": "EPSG:4326",
        "proj:bbox": [-10.0, 35.0, 30.0, 60.0],
        "proj:shape": [500, 800],
        "proj:transform": [0.05, 0.0, -10.0, 0.0, -0.05, 60.0],
        "proj:centroid": {"lat": 47.5, "lon": 10.0},
    },
    "assets": {
        "score": {
            "href": "./score.tif",
            "type": "image/tiff; application=geotiff; profile=cloud-optimized",
            "title": "Hotspot score",
            "roles": ["data"],
            "raster:bands": [{
                "data_type": "float32", "nodata": "nan", "unit": "1", "spatial_resolution": 5566.0,
                "statistics": {"minimum": 0.0, "maximum": 1.0, "mean": 0.21, "stddev": 0.1, "valid_percent": 97.5},
                "histogram": {"count": 3, "min": 0.0, "max": 1.0, "buckets": [10, 20, 5]},
            }],
            "file:size": 987654,
            "file:checksum": CHECKSUM,
            "file:local_path": "2024-06-01/score.tif",
        },
        "thumbnail": {"href": "./thumb.png", "type": "image/png", "roles": ["thumbnail"], "proj:code": None},
    },
    "links": [
        {"rel": "collection", "href": "../collection.json", "type": "application/json"},
        {"rel": "parent", "href": "../collection.json", "type": "application/json"},
        {"rel": "root", "href": "../../catalog.json", "type": "application/json"},
    ],
}

# an Item with only a start/end range (datetime null) is valid in 1.1.0
item_range = copy.deepcopy(item)
item_range["id"] = "2024-06"
item_range["properties"].update(datetime=None, start_datetime="2024-06-01T00:00:00Z",
                                end_datetime="2024-06-30T23:59:59Z")


def broken(doc, change):
    doc = copy.deepcopy(doc)
    change(doc)
    return doc


invalid = {
    # name: (document, expected exit status, text the output must contain)
    "item-missing-datetime.json": (
        broken(item, lambda d: d["properties"].pop("datetime")), 1, "'datetime' is a required property"),
    "item-datetime-null-without-range.json": (
        broken(item, lambda d: d["properties"].update(datetime=None)), 1, "INVALID against"),
    "item-datetime-not-utc.json": (
        broken(item, lambda d: d["properties"].update(datetime="2024-06-01T02:00:00+02:00")), 1,
        "does not match '(\\\\+00:00|Z)$'"),
    "item-datetime-not-a-date.json": (
        broken(item, lambda d: d["properties"].update(datetime="2024-13-45T00:00:00Z")), 1,
        "is not a 'date-time'"),
    "item-proj-code-integer.json": (
        broken(item, lambda d: d["properties"].update({"proj:code": 4326})), 1,
        "4326 is not of type 'string', 'null'"),
    "item-file-checksum-number.json": (
        broken(item, lambda d: d["assets"]["score"].update({"file:checksum": 1220})), 1,
        "1220 is not of type 'string'"),
    "item-raster-nodata-bad.json": (
        broken(item, lambda d: d["assets"]["score"]["raster:bands"][0].update(nodata="none")), 1,
        "raster/v1.1.0"),
    "item-bbox-3-numbers.json": (
        broken(item, lambda d: d.update(bbox=[1.0, 2.0, 3.0])), 1, "INVALID against"),
    "item-unknown-extension.json": (
        broken(item, lambda d: d["stac_extensions"].append(
            "https://stac-extensions.github.io/eo/v2.0.0/schema.json")), 2, "not stored locally"),
    "item-stac-1.0.json": (broken(item, lambda d: d.update(stac_version="1.0.0")), 2, "only the STAC 1.1.0"),
    "collection-missing-extent.json": (
        broken(collection, lambda d: d.pop("extent")), 1, "'extent' is a required property"),
    "collection-missing-license.json": (
        broken(collection, lambda d: d.pop("license")), 1, "'license' is a required property"),
    "collection-item-assets-proj-code-integer.json": (
        broken(collection, lambda d: d["item_assets"]["score"].update({"proj:code": 4326})), 1,
        "4326 is not of type 'string', 'null'"),
    "collection-file-size-negative.json": (
        broken(collection, lambda d: d["assets"]["landmask"].update({"file:size": -1})), 1,
        "-1 is less than the minimum of 0"),
    "catalog-missing-description.json": (
        broken(catalog, lambda d: d.pop("description")), 1, "'description' is a required property"),
    "catalog-link-checksum-number.json": (
        broken(catalog, lambda d: d["links"][2].update({"file:checksum": 5})), 1, "5 is not of type 'string'"),
    "catalog-link-without-href.json": (
        broken(catalog, lambda d: d["links"][0].pop("href")), 1, "'href' is a required property"),
    "not-stac.json": ({"type": "Topology"}, 2, '"type" is \'Topology\''),
}


def write(path, doc):
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


for name, doc in {"catalog.json": catalog, "collection.json": collection, "item.json": item,
                  "item-datetime-range.json": item_range,
                  "item-collection.json": {"type": "FeatureCollection", "features": [item, item_range]}}.items():
    write(HERE / "valid" / name, doc)
for name, (doc, _, _) in invalid.items():
    write(HERE / "invalid" / name, doc)
write(HERE / "invalid" / "EXPECTED.json",
      {name: {"status": status, "contains": text} for name, (_, status, text) in invalid.items()})
