#ifndef CGDAL_SHIM_H
#define CGDAL_SHIM_H
#include <gdal/gdal.h>
#include <gdal/gdal_alg.h>
#include <gdal/gdal_utils.h>
#include <gdal/gdalwarper.h>
#include <gdal/cpl_conv.h>
#include <gdal/cpl_error.h>
#include <gdal/cpl_string.h>
#include <gdal/cpl_vsi.h>
#include <gdal/ogr_api.h>
#include <gdal/ogr_srs_api.h>

/* Variadic CPLError is not imported by Swift: a fixed-arity wrapper. */
static inline void cgdal_error(CPLErr level, int code, const char *message) {
    CPLError(level, code, "%s", message);
}
#endif
