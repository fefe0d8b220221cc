import GeoKit
print(GDALRuntime.version)
