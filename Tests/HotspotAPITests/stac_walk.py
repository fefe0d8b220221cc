"""Walks the service's STAC catalogue with pystac (PyPI), a client no one here wrote (test helper).

Usage: stac_walk.py ROOT_URL -> JSON: the catalogue's id, its children, and every Item found by walking the links,
with its assets' hrefs, media types, roles and file:checksum, and what pystac's own validation says (None: valid,
else the error; skipped when pystac's jsonschema is unavailable).
"""
import json
import sys

import pystac

root = pystac.Catalog.from_file(sys.argv[1])
out = {"id": root.id, "type": root.STAC_OBJECT_TYPE.value, "children": [], "items": []}
for child in root.get_children():
    out["children"].append({"id": child.id, "type": child.STAC_OBJECT_TYPE.value,
                            "extent": child.extent.to_dict() if isinstance(child, pystac.Collection) else None})
for item in root.get_items(recursive=True):
    out["items"].append({
        "id": item.id, "collection": item.collection_id, "datetime": item.datetime.isoformat(),
        "bbox": item.bbox, "self": item.get_self_href(),
        "assets": {k: {"href": a.href, "type": a.media_type, "roles": a.roles,
                       "checksum": a.extra_fields.get("file:checksum"), "size": a.extra_fields.get("file:size")}
                   for k, a in item.assets.items()},
        "extensions": item.stac_extensions,
    })
print(json.dumps(out))
