#!/usr/bin/env python3
"""Validate STAC 1.1.0 documents offline against the schemas stored beside this script.

    python validate.py FILE.json [FILE.json ...]
    python validate.py --self-test          # the bundled samples/ must pass / fail as listed
    python validate.py --check-refs         # every $ref of every stored schema resolves locally
    python validate.py --list               # URL -> stored file

A document's "type" picks its core schema: "Catalog", "Collection" or "Feature" (an Item); a
"FeatureCollection" has each of its "features" validated as an Item. Every URL in the document's
"stac_extensions" is validated too, and must be one of the stored schemas.

Each schema is stored at <host>/<path> of its URL (e.g. schemas.stacspec.org/v1.1.0/item-spec/json-schema/item.json
for https://schemas.stacspec.org/v1.1.0/item-spec/json-schema/item.json). A referencing.Registry serves them; its
retrieve hook raises on any URL that is not stored, so nothing is ever fetched from the network. (The JSON Schema
draft-07 meta-schema, which collection.json refers to, comes from the jsonschema-specifications package.)

"format" is checked (date-time needs the rfc3339-validator package; without it date-time strings are only held to
the schemas' "(\\+00:00|Z)$" pattern and a note is printed). --no-formats turns format checking off.

Exit status: 0 all valid, 1 at least one document invalid, 2 a document or schema could not be used (unreadable
JSON, unknown "type", a stac_extensions URL or a $ref that is not stored locally, a stac_version other than 1.1.0).

Needs jsonschema >= 4.18 (with referencing); Debian bookworm's python3-jsonschema (4.10) is too old, use a venv.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urldefrag, urljoin

try:
    import jsonschema
    import referencing
    import referencing.exceptions
    import referencing.jsonschema
    from jsonschema.exceptions import best_match
    from jsonschema_specifications import REGISTRY as SPECIFICATIONS
except ImportError as exc:  # pragma: no cover - environment problem
    sys.exit(f"validate.py: needs jsonschema>=4.18 with referencing ({exc}); install them in a venv")

HERE = Path(__file__).resolve().parent
STAC_VERSION = "1.1.0"
CORE = {
    "Catalog": f"https://schemas.stacspec.org/v{STAC_VERSION}/catalog-spec/json-schema/catalog.json",
    "Collection": f"https://schemas.stacspec.org/v{STAC_VERSION}/collection-spec/json-schema/collection.json",
    "Feature": f"https://schemas.stacspec.org/v{STAC_VERSION}/item-spec/json-schema/item.json",
}
NOT_SCHEMAS = {"samples"}  # folders under the schema root that hold no schemas


class NotLocal(Exception):
    """A schema URL that is not stored under the schema root."""


class CannotValidate(Exception):
    """The document cannot be checked (as opposed to: it was checked and is invalid)."""


def _key(url: str) -> str:
    """Registry key of a schema URL: no fragment, no empty trailing '#'."""
    return urldefrag(url)[0]


def load_schemas(root: Path) -> dict[str, tuple[Path, dict]]:
    """URL -> (file, contents) for every stored schema; a file is also listed under its "$id" if that differs."""
    found: dict[str, tuple[Path, dict]] = {}
    for path in sorted(root.rglob("*.json")):
        rel = path.relative_to(root)
        if rel.parts[0] in NOT_SCHEMAS or len(rel.parts) < 2:
            continue
        contents = json.loads(path.read_text(encoding="utf-8"))
        url = "https://" + rel.as_posix()
        found[url] = (path, contents)
        own_id = contents.get("$id") if isinstance(contents, dict) else None
        if own_id and _key(own_id) != url:
            found.setdefault(_key(own_id), (path, contents))
    return found


def build_registry(schemas: dict[str, tuple[Path, dict]]) -> referencing.Registry:
    def retrieve(uri: str):
        raise NotLocal(f"$ref to {uri!r}, which is not stored under {HERE} (no network access is attempted)")

    resources = [
        (url, referencing.jsonschema.DRAFT7.create_resource(contents)) for url, (_, contents) in schemas.items()
    ]
    return referencing.Registry(retrieve=retrieve).with_resources(resources).crawl()


def _walk_refs(node, base: str, out: list[tuple[str, str]]) -> None:
    """(absolute $ref, base) for every $ref under node, following nested "$id"s the way draft-07 does."""
    if isinstance(node, dict):
        if "$ref" in node and isinstance(node["$ref"], str):
            out.append((urljoin(base, node["$ref"]), base))
            return  # draft-07: siblings of $ref are ignored
        own_id = node.get("$id")
        if isinstance(own_id, str) and not own_id.startswith("#"):
            base = urljoin(base, own_id)
        for value in node.values():
            _walk_refs(value, base, out)
    elif isinstance(node, list):
        for value in node:
            _walk_refs(value, base, out)


def nonlocal_refs(schemas: dict[str, tuple[Path, dict]], start: list[str] | None = None) -> list[str]:
    """Every $ref reachable from `start` (default: all stored schemas) whose target is neither stored nor a
    meta-schema from jsonschema-specifications, as 'file: ref' lines."""
    known = set(schemas) | {_key(uri) for uri in SPECIFICATIONS}
    todo = list(start if start is not None else schemas)
    seen: set[str] = set()
    bad: list[str] = []
    while todo:
        url = _key(todo.pop())
        if url in seen:
            continue
        seen.add(url)
        if url not in schemas:
            continue  # a meta-schema
        path, contents = schemas[url]
        refs: list[tuple[str, str]] = []
        _walk_refs(contents, url, refs)
        for ref, _ in refs:
            target = _key(ref)
            if target not in known:
                bad.append(f"{path.relative_to(HERE)}: $ref {ref}")
            else:
                todo.append(target)
    return bad


def _where(error: jsonschema.ValidationError) -> str:
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _depth(error: jsonschema.ValidationError) -> int:
    return max([len(error.absolute_path)] + [_depth(e) for e in error.context])


def _leaf(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """The most specific reason inside a oneOf/anyOf/allOf failure. For oneOf/anyOf, the branch that got furthest
    into the document is taken to be the one meant (the STAC extension schemas branch on "type" first, so the
    Item branch of a Collection fails at $.type while the Collection branch fails deep inside it)."""
    while error.context:
        candidates = error.context
        if error.validator in ("oneOf", "anyOf"):
            branches: dict = {}
            for e in error.context:
                branches.setdefault(e.relative_schema_path[0] if e.relative_schema_path else None, []).append(e)
            candidates = max(branches.values(), key=lambda b: (max(_depth(e) for e in b), -len(b)))
        deeper = best_match(candidates)
        if deeper is None:
            break
        error = deeper
    return error


def _describe(error: jsonschema.ValidationError) -> str:
    leaf = _leaf(error)
    text = f"at {_where(leaf)}: {leaf.message}"
    if len(text) > 400:
        text = text[:400] + " ..."
    if leaf is not error:
        text += f"  (in {error.validator} at {_where(error)})"
    return text


def check_document(doc, registry, schemas, format_checker) -> list[tuple[str, list[str]]]:
    """[(schema URL, [problems])] for one STAC object; an empty problem list means valid against that schema."""
    if not isinstance(doc, dict):
        raise CannotValidate("not a JSON object")
    kind = doc.get("type")
    if kind == "FeatureCollection":
        results = []
        features = doc.get("features")
        if not isinstance(features, list):
            raise CannotValidate('"type": "FeatureCollection" without a "features" array')
        for index, feature in enumerate(features):
            for url, problems in check_document(feature, registry, schemas, format_checker):
                results.append((f"features[{index}] {url}", problems))
        return results
    if kind not in CORE:
        raise CannotValidate(f'"type" is {kind!r}; expected one of {sorted(CORE)} or "FeatureCollection"')
    version = doc.get("stac_version")
    if version != STAC_VERSION:
        raise CannotValidate(f'"stac_version" is {version!r}; only the STAC {STAC_VERSION} schemas are stored')
    extensions = doc.get("stac_extensions", [])
    if not isinstance(extensions, list) or not all(isinstance(e, str) for e in extensions):
        extensions = []  # the core schema reports the bad shape
    missing = [url for url in extensions if _key(url) not in schemas]
    if missing:
        raise CannotValidate(
            "extension schema(s) not stored locally: " + ", ".join(missing)
            + f" (add each under {HERE}/<host>/<path>)"
        )
    urls = [CORE[kind]] + list(dict.fromkeys(extensions))
    bad_refs = nonlocal_refs(schemas, urls)
    if bad_refs:
        raise CannotValidate("schema(s) refer to URLs that are not stored: " + "; ".join(bad_refs))
    results = []
    for url in urls:
        schema = schemas[_key(url)][1]
        validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
        validator = validator_class(schema, registry=registry, format_checker=format_checker)
        try:
            errors = sorted(validator.iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message))
        except referencing.exceptions.Unresolvable as exc:
            raise CannotValidate(f"{url}: unresolvable $ref: {exc}") from exc
        results.append((url, [_describe(e) for e in errors]))
    return results


def validate_files(paths, registry, schemas, format_checker, quiet=False, out=sys.stdout) -> int:
    status = 0
    for name in paths:
        try:
            doc = json.loads(Path(name).read_text(encoding="utf-8"))
            results = check_document(doc, registry, schemas, format_checker)
        except (OSError, ValueError) as exc:
            print(f"{name}: ERROR cannot read JSON: {exc}", file=out)
            status = max(status, 2)
            continue
        except CannotValidate as exc:
            print(f"{name}: ERROR {exc}", file=out)
            status = max(status, 2)
            continue
        failed = [(url, problems) for url, problems in results if problems]
        if not failed:
            if not quiet:
                print(f"{name}: valid ({', '.join(url for url, _ in results)})", file=out)
            continue
        status = max(status, 1)
        for url, problems in failed:
            print(f"{name}: INVALID against {url}", file=out)
            for problem in problems:
                print(f"  - {problem}", file=out)
    return status


def self_test(registry, schemas, format_checker) -> int:
    """samples/valid/* must pass, samples/invalid/* must fail with the status and text listed in EXPECTED.json."""
    import io

    samples = HERE / "samples"
    failures = 0
    for path in sorted((samples / "valid").glob("*.json")):
        buf = io.StringIO()
        status = validate_files([str(path)], registry, schemas, format_checker, out=buf)
        ok = status == 0
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} valid/{path.name}" + ("" if ok else "\n" + buf.getvalue().rstrip()))
    expected = json.loads((samples / "invalid" / "EXPECTED.json").read_text(encoding="utf-8"))
    listed = set(expected)
    present = {p.name for p in (samples / "invalid").glob("*.json")} - {"EXPECTED.json"}
    for name in sorted(present ^ listed):
        failures += 1
        print(f"FAIL invalid/{name}: {'not listed in EXPECTED.json' if name in present else 'listed but missing'}")
    for name in sorted(present & listed):
        want_status, want_text = expected[name]["status"], expected[name]["contains"]
        buf = io.StringIO()
        status = validate_files([str(samples / "invalid" / name)], registry, schemas, format_checker, out=buf)
        text = buf.getvalue()
        ok = status == want_status and want_text in text
        failures += not ok
        first = next((line.strip() for line in text.splitlines() if line.startswith("  - ")), text.strip())
        print(f"{'ok  ' if ok else 'FAIL'} invalid/{name} (exit {status}): {first}"
              + ("" if ok else f"\n     wanted exit {want_status} and text {want_text!r}; got:\n{text.rstrip()}"))
    passed = len(list((samples / "valid").glob("*.json"))) + len(present & listed) - failures
    print(f"{passed} passed, {failures} failed")
    return 1 if failures else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="STAC JSON files (Catalog, Collection, Item, FeatureCollection)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    parser.add_argument("--no-formats", action="store_true", help='do not check "format" (date-time, ...)')
    parser.add_argument("--self-test", action="store_true", help="check the bundled samples/")
    parser.add_argument("--check-refs", action="store_true", help="check every stored schema's $refs are local")
    parser.add_argument("--list", action="store_true", help="list the stored schema URLs")
    args = parser.parse_args(argv)

    schemas = load_schemas(HERE)
    registry = build_registry(schemas)
    format_checker = None
    if not args.no_formats:
        format_checker = jsonschema.FormatChecker()
        if "date-time" not in format_checker.checkers:
            print("validate.py: note: rfc3339-validator is not installed, so date-time formats are not checked",
                  file=sys.stderr)

    if args.list:
        for url, (path, _) in sorted(schemas.items()):
            print(f"{url}  ->  {path.relative_to(HERE)}")
    if args.check_refs:
        bad = nonlocal_refs(schemas)
        for line in bad:
            print(f"not local: {line}")
        print(f"{len(schemas)} schema URLs, {'all $refs local' if not bad else f'{len(bad)} $refs not local'}")
        if bad:
            return 2
    if args.self_test:
        return self_test(registry, schemas, format_checker)
    if args.files:
        return validate_files(args.files, registry, schemas, format_checker, quiet=args.quiet)
    if not (args.list or args.check_refs):
        parser.print_usage(sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
