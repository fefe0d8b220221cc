# Soil Carbon Hotspots: `make demo` and `make test` work on a fresh Debian 12 machine (they install what they need).
SHELL := /bin/bash
SWIFT ?= swift
HOTSPOT := .build/release/hotspot
# System libraries and tools: GDAL/PROJ/GEOS headers for the C modules, GDAL's command-line tools and Python
# bindings as test oracles and benchmark peers (never used by the product itself).
APT_PACKAGES := libgdal-dev libgeos-dev libproj-dev libsqlite3-dev libfreetype-dev libdeflate-dev libcurl4-openssl-dev fonts-dejavu-core gdal-bin \
  python3-gdal python3-numpy python3-venv pkg-config libjs-leaflet libjs-leaflet.markercluster
# Real components the tests start: headless Chromium (the map page), Slurm + munge (sharded runs), PostgreSQL 15
# with PostGIS 3 (the partner store on a database) and nginx (replicas behind a proxy).
TEST_PACKAGES := chromium python3-requests iso-codes slurm-wlm munge postgresql-15-postgis-3 nginx openssl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test-tools build demo demo-data run tiles partners serve test bench-pipeline bench-tiles bench-api landmask clean

# Installs the apt packages that are missing (nothing when all are there).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product hotspot

# Synthetic demo inputs (deterministic; skipped when present). pet.tif came with model v2's monthly climate: demo
# data of an earlier version (single-band climate) is made again.
demo-data: build
	@[ -f Rasters/demo/pet.tif ] || $(HOTSPOT) demo-data --out Rasters/demo

run: demo-data
	$(HOTSPOT) run --config Config/hotspot.yaml

# Tile pyramids of the latest run (resumable; a finished pyramid of the same run is not redone).
tiles: run
	$(HOTSPOT) tiles --config Config/hotspot.yaml --package mbtiles

# The API and map page of the latest run on http://127.0.0.1:8080 (Ctrl-C stops it).
serve: build partners
	$(HOTSPOT) serve --config Config/hotspot.yaml

# The partner directory: the demo GeoJSON imported into the GeoPackage the server uses, unless it already holds
# valid partners (`partners check` fails on a missing, empty or invalid directory).
partners: build
	@$(HOTSPOT) partners check --config Config/hotspot.yaml >/dev/null 2>&1 || \
	  $(HOTSPOT) partners import --config Config/hotspot.yaml Config/partners.geojson --replace

demo: tiles partners
	@echo "Demo run published in Rasters/derived/latest (see run.json there)."
	@echo "Tiles in Tiles/: open Tiles/index.html in a browser to look at them."
	$(HOTSPOT) serve --config Config/hotspot.yaml

# Test-only Python tools from PyPI, in a venv of Debian's Python: the OpenAPI validator, the reference PMTiles
# reader, schemathesis (the bounded fuzzing run against the API document) and moto's S3 server (sharded runs on S3).
VENV := .build/venv
test-tools: deps
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@[ -x $(VENV)/bin/openapi-spec-validator ] && [ -x $(VENV)/bin/schemathesis ] && [ -x $(VENV)/bin/moto_server ] && \
	  $(VENV)/bin/python -c "import pmtiles, pystac, rfc3339_validator, aiosmtpd" 2>/dev/null || \
	  { [ -x $(VENV)/bin/pip ] || /usr/bin/python3 -m venv $(VENV); \
	    $(VENV)/bin/pip install -q openapi-spec-validator==0.9.0 pmtiles==3.8.1 schemathesis==4.32.5 "moto[server]==5.2.5" \
	      pystac==1.15.2 rfc3339-validator==0.1.4 aiosmtpd==1.4.6; }

# Two runs of the test binary: the API suites serve from in-process servers, whose handlers share Swift's
# cooperative threads (as many as cores) with the tests; beside the pipeline and tiling suites' in-process runs they
# starved on 2 cores and timed out. Each run still runs its suites in parallel.
test: deps test-tools
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip HotspotAPITests
	$(SWIFT) test --skip-build --filter HotspotAPITests

# Benchmarks are run by hand: they compare against GDAL's own tools in the same run.
bench-pipeline: build
	Benchmarks/pipeline.sh

bench-tiles: build
	Benchmarks/tiles.sh 0-7

bench-api: build
	Benchmarks/api.sh

# Regenerates the committed land mask from GSHHG shorelines (needs Debian's gmt and gmt-gshhg-low).
landmask:
	$(SUDO) apt-get install -y -qq gmt gmt-gshhg-low
	gmt grdlandmask -R-180/180/-60/84 -I0.05 -r -Di -N0/1/2/1/2 -A300 -G/tmp/landmask.nc
	gdal_translate -q -ot Byte -a_srs EPSG:4326 -a_nodata none -co COMPRESS=DEFLATE -co PREDICTOR=2 -co ZLEVEL=9 \
	  -co TILED=YES -mo "SOURCE=GSHHG intermediate shorelines via GMT grdlandmask -Di -N0/1/2/1/2 -A300 (0 ocean, 1 land, 2 lake)" \
	  /tmp/landmask.nc Config/demo/landmask.tif

clean:
	rm -rf .build Rasters/derived Rasters/demo
