#!/usr/bin/python3
"""RothC-26.3 scenario model in numpy: an independent test oracle and benchmark peer for the Swift pipeline.

The soil carbon model is RothC-26.3 (Coleman & Jenkinson 1999, "RothC-26.3: a model for the turnover of carbon in
soil", Rothamsted Research), with the initialisation, scenarios and conventions of .research/MODEL-SPEC.md. It is
written from that specification alone (no code is shared with the Swift model) so that the two can check each other.

Per pixel:
  * IOM = 0.049 soc^1.139 (Falloon 1998); the active pools (DPM, RPM, BIO, HUM) hold soc - IOM.
  * Monthly rate modifier rm = a(T) b(TSMD) c (temperature, topsoil moisture deficit, plant cover).
  * Month step: decomposition first (pool Y keeps Y exp(-rm k / 12)), the decomposed carbon split between CO2, BIO
    and HUM by the clay-dependent ratio x, then the month's input C/12 split DPM:RPM = r:1.
  * Equilibrium initialisation: the year map pools' = A pools + C b1 is built by stepping the four unit pool vectors
    (no input) and the zero pools (unit input) through the 12 months; C0 = active / sum((I - A)^-1 b1) and
    x0 = C0 (I - A)^-1 b1 (numpy.linalg.solve). If every month's rm is 0, C0 = 0 and x0 = active * p, p the
    normalised equilibrium split under a uniform rm = 1e-6.
  * Scenarios are time-stepped month by month for n * 12 months from x0: BAU (input C0), SSM_s (input C0 (1 + s),
    managed groups only) and warming (input C0, tmean + warming). sequestration_rate_s = (SOC_SSM_s - SOC_BAU) / n
    (t C/ha/yr), loss_expected = SOC_BAU - SOC_warm (t C/ha over the horizon).

Usage:
  rothc_oracle.py --soc SOC.tif --clay CLAY.tif --tmean TMEAN.tif --precip PRECIP.tif --pet PET.tif
                  --landcover LC.tif --groups GROUPS.json --out DIR
                  [--soc-scale 1 --soc-offset 0 ... (likewise clay, tmean, precip, pet)]
                  [--depth 30] [--warming 2.0] [--horizon 20] [--scenarios 0.05,0.10,0.20]
                  [--managed cropland,grassland] [--dpm-rpm cropland=1.44,...] [--rows-per-block 128]
  rothc_oracle.py --selfcheck [--selfcheck-pixels 500] [--seed 1] [model options]
      compares the vectorised model with a plain-Python scalar implementation (below) on random pixels (edge cases
      included), exits non-zero on a mismatch, prints 'selfcheck ok N pixels' otherwise. Agreement required:
      relative 1e-9 (rates and loss relative to at least 1e-6 of the stock, as they are differences of stocks);
      1e-6 for soils frozen all year, whose pool split comes from an I - A with condition number about 1e8.

Outputs in DIR, Float32 GeoTIFFs on the soc raster's grid, nodata -9999: sequestration_rate_{low,medium,high}.tif
(the scenarios in the order given), loss_expected.tif and c0.tif (equilibrium input C0, t C/ha/yr). Computation is
in float64, in blocks of rows, vectorised over the valid pixels of a block (in chunks of CHUNK pixels). Memory
is that of a block plus GDAL's block cache (GDAL_CACHEMAX, by default 5% of RAM).
"""
import argparse
import json
import math
import os
import random
import sys

import numpy as np

K = (10.0, 0.3, 0.66, 0.02)  # decomposition constants per year: DPM, RPM, BIO, HUM
BIO_SHARE, HUM_SHARE = 0.46, 0.54
T_MIN = -5.0  # a(T) = 0 below this temperature
MOISTURE_ONSET = 0.444  # b = 1 while the deficit is above 0.444 maxTSMD
DEGENERATE_RM = 1e-6  # uniform rate used for the pool split of a soil that never decomposes
NODATA = -9999.0
SCENARIO_NAMES = ("low", "medium", "high")
CHUNK = 16384  # pixels per vectorised computation: bounds the memory of the monthly factors, keeps pools in cache

DEFAULT_DPM_RPM = "cropland=1.44,grassland=1.44,shrubland=0.67,wetland=0.67,forest=0.25,urban=1.44,bare=1.44,snow_ice=1.44"


class Parameters:
    def __init__(self, depth=30.0, warming=2.0, horizon=20, scenarios=(0.05, 0.10, 0.20),
                 managed=("cropland", "grassland"), dpm_rpm=None):
        self.depth = float(depth)
        self.warming = float(warming)
        self.horizon = int(horizon)
        self.scenarios = tuple(float(s) for s in scenarios)
        self.managed = frozenset(managed)
        self.dpm_rpm = dict(dpm_rpm if dpm_rpm is not None else parse_ratios(DEFAULT_DPM_RPM))


def parse_ratios(text):
    ratios = {}
    for item in text.split(","):
        if item.strip():
            name, value = item.split("=")
            ratios[name.strip()] = float(value)
    return ratios


# ---------------------------------------------------------------------------------------------------------------
# Vectorised model (arrays over pixels; monthly arrays have the month first: shape (12, npix))

def iom(soc):
    """Inert organic matter, Falloon et al. (1998)."""
    return 0.049 * soc ** 1.139


def temperature_modifier(tmean):
    """RothC's a(T) = 47.91 / (1 + exp(106.06 / (T + 18.27))) for T >= -5 degC, 0 below."""
    t = np.maximum(tmean, T_MIN)  # keeps the formula away from its pole; those months are set to 0 below
    return np.where(tmean >= T_MIN, 47.91 / (1.0 + np.exp(106.06 / (t + 18.27))), 0.0)


def max_tsmd(clay, depth):
    return -(20.0 + 1.3 * clay - 0.01 * clay * clay) * depth / 23.0


def moisture_modifiers(clay, precip, pet, bare, depth):
    """b for each month of the periodic year of the climatology: the deficit accumulated from 0 at the start of
    January of the first year, bounded by maxTSMD (covered soil) or maxTSMD / 1.8 (bare soil), year after year until
    every pixel's December deficit repeats the previous one."""
    m = max_tsmd(clay, depth)
    bound = np.where(bare, m / 1.8, m)

    def one_year(start):
        acc = start.copy()
        for month in range(12):
            acc = np.minimum(0.0, np.maximum(bound, acc + precip[month] - pet[month]))
        return acc

    december = one_year(np.zeros_like(m))
    for _ in range(100000):
        following = one_year(december)
        if np.array_equal(following, december, equal_nan=True):
            break
        december = following
    acc = december
    b = np.empty_like(precip)
    for month in range(12):
        acc = np.minimum(0.0, np.maximum(bound, acc + precip[month] - pet[month]))
        b[month] = np.where(acc > MOISTURE_ONSET * m, 1.0, 0.2 + 0.8 * (m - acc) / (m - MOISTURE_ONSET * m))
    return b


def cover_modifier(bare):
    return np.where(bare, 1.0, 0.6)


def rate_modifiers(tmean, b, c):
    """rm = a b c for each month, shape (12, npix)."""
    return temperature_modifier(tmean) * b * c


def decay_factors(rm):
    """e[m, i] = exp(-rm_m k_i / 12), the share of pool i kept in month m, and 1 - e (the share decomposed)."""
    k = np.array(K).reshape(1, 4, 1)
    e = np.exp(-rm[:, None, :] * k / 12.0)
    return e, 1.0 - e


def co2_ratio(clay):
    return 1.67 * (1.85 + 1.60 * np.exp(-0.0786 * clay))


def month_step(pools, e, om, in_dpm, in_rpm, f_bio, f_hum):
    """One month on pools (4, npix) in place: decomposition (e kept, om = 1 - e decomposed), the decomposed carbon
    D to BIO (f_bio D) and HUM (f_hum D), the rest to CO2; then the month's input to DPM and RPM."""
    decomposed = (pools * om).sum(axis=0)
    pools *= e
    pools[2] += decomposed * f_bio
    pools[3] += decomposed * f_hum
    pools[0] += in_dpm
    pools[1] += in_rpm
    return pools


def monthly_inputs(c, r):
    """Input C (t C/ha/yr) as the month's additions to DPM and RPM with DPM/RPM ratio r."""
    return c / 12.0 * r / (r + 1.0), c / 12.0 / (r + 1.0)


def run_years(pools, c, e, om, r, f_bio, f_hum, years):
    """Time-step pools (4, npix, modified in place) for years * 12 months with input c (t C/ha/yr)."""
    in_dpm, in_rpm = monthly_inputs(c, r)
    for _ in range(years):
        for month in range(12):
            month_step(pools, e[month], om[month], in_dpm, in_rpm, f_bio, f_hum)
    return pools


def annual_map(e, om, r, f_bio, f_hum):
    """The year map pools' = A pools + C b1, by stepping the four unit pool vectors without input (columns of A)
    and the zero pools with unit input (b1) through the 12 months. A: (npix, 4, 4), b1: (npix, 4)."""
    n = r.shape[0]
    zero = np.zeros(n)
    a = np.empty((n, 4, 4))
    for j in range(4):
        pools = np.zeros((4, n))
        pools[j] = 1.0
        a[:, :, j] = run_years(pools, zero, e, om, r, f_bio, f_hum, 1).T
    b1 = run_years(np.zeros((4, n)), zero + 1.0, e, om, r, f_bio, f_hum, 1).T
    return a, b1


def equilibrium(rm, active, r, f_bio, f_hum):
    """(C0, x0): the input whose equilibrium holds the active carbon, and that equilibrium (4, npix). A soil that
    never decomposes (rm = 0 in every month) gets C0 = 0 and the active carbon in the split of a uniform rm = 1e-6."""
    frozen = np.all(rm == 0.0, axis=0)
    rm = np.where(frozen, DEGENERATE_RM, rm)
    a, b1 = annual_map(*decay_factors(rm), r, f_bio, f_hum)
    unit = np.linalg.solve(np.eye(4) - a, b1[:, :, None])[:, :, 0].T  # (I - A)^-1 b1, shape (4, npix)
    total = unit.sum(axis=0)
    c0 = np.where(frozen, 0.0, active / total)
    x0 = np.where(frozen, active * unit / total, c0 * unit)
    return c0, x0


def run_scenario(x0, iom_, c, e, om, r, f_bio, f_hum, years):
    """SOC (pools + IOM) after years * 12 month steps from x0 with input c."""
    pools = run_years(x0.copy(), c, e, om, r, f_bio, f_hum, years)
    return pools.sum(axis=0) + iom_


def model(soc, clay, tmean, precip, pet, r, bare, managed, p):
    """Outputs for valid pixels (arrays (npix,), monthly (12, npix)): c0, rates (len(scenarios), npix; NaN where
    not managed), loss."""
    inert = iom(soc)
    active = soc - inert
    b = moisture_modifiers(clay, precip, pet, bare, p.depth)
    c = cover_modifier(bare)
    x = co2_ratio(clay)
    f_bio, f_hum = BIO_SHARE / (x + 1.0), HUM_SHARE / (x + 1.0)
    rm = rate_modifiers(tmean, b, c)
    c0, x0 = equilibrium(rm, active, r, f_bio, f_hum)
    e, om = decay_factors(rm)
    n = p.horizon
    bau = run_scenario(x0, inert, c0, e, om, r, f_bio, f_hum, n)
    rates = np.full((len(p.scenarios), soc.shape[0]), np.nan)
    if managed.any():
        m = managed
        e_m, om_m = e[:, :, m], om[:, :, m]
        for i, s in enumerate(p.scenarios):
            ssm = run_scenario(x0[:, m], inert[m], c0[m] * (1.0 + s), e_m, om_m, r[m], f_bio[m], f_hum[m], n)
            rates[i, m] = (ssm - bau[m]) / n
    del e, om
    e_w, om_w = decay_factors(rate_modifiers(tmean + p.warming, b, c))
    warm = run_scenario(x0, inert, c0, e_w, om_w, r, f_bio, f_hum, n)
    return c0, rates, bau - warm


def group_properties(names, p):
    """Per group name: (valid, DPM/RPM ratio, bare, managed). A group is valid if it is not water and has a ratio."""
    out = []
    for name in names:
        ratio = p.dpm_rpm.get(name) if name is not None else None
        valid = name is not None and name != "water" and ratio is not None
        out.append((valid, ratio if valid else np.nan, name == "bare", valid and name in p.managed))
    return out


def validity(soc, clay, tmean, precip, pet, group_valid):
    with np.errstate(invalid="ignore"):
        return (np.isfinite(soc) & (soc >= 0) & np.isfinite(clay) & (clay >= 0)
                & np.all(np.isfinite(tmean), axis=0) & np.all(precip >= 0, axis=0) & np.all(pet >= 0, axis=0)
                & group_valid)


def model_block(soc, clay, tmean, precip, pet, group_names, p):
    """Every output for a block of pixels (NaN = nodata). group_names: one name (or None) per pixel."""
    names = sorted(set(group_names), key=lambda g: (g is None, g))
    index = {g: i for i, g in enumerate(names)}
    props = group_properties(names, p)
    gi = np.array([index[g] for g in group_names], dtype=np.int64)
    return model_block_indexed(soc, clay, tmean, precip, pet, gi, props, p)


def model_block_indexed(soc, clay, tmean, precip, pet, gi, props, p):
    """As model_block with the groups given as indices gi into props (rows of group_properties)."""
    npix = soc.shape[0]
    g_valid = np.array([bool(v[0]) for v in props], dtype=bool)[gi]
    g_ratio = np.array([float(v[1]) for v in props])[gi]
    g_bare = np.array([bool(v[2]) for v in props], dtype=bool)[gi]
    g_managed = np.array([bool(v[3]) for v in props], dtype=bool)[gi]
    valid = validity(soc, clay, tmean, precip, pet, g_valid)
    c0 = np.full(npix, np.nan)
    rates = np.full((len(p.scenarios), npix), np.nan)
    loss = np.full(npix, np.nan)
    where = np.flatnonzero(valid)
    for start in range(0, where.size, CHUNK):
        w = where[start:start + CHUNK]
        c0[w], rates[:, w], loss[w] = model(soc[w], clay[w], tmean[:, w], precip[:, w], pet[:, w],
                                            g_ratio[w], g_bare[w], g_managed[w], p)
    return c0, rates, loss


# ---------------------------------------------------------------------------------------------------------------
# Plain-Python scalar model (for --selfcheck): the same specification written again, one pixel at a time

def scalar_pixel(soc, clay, tmean, precip, pet, group, p):
    """(c0, [rate per scenario or None], loss) for one pixel, or None if it is invalid."""
    def finite(v):
        return v is not None and not math.isnan(v) and not math.isinf(v)

    ratio = p.dpm_rpm.get(group) if group is not None else None
    if group is None or group == "water" or ratio is None:
        return None
    if not (finite(soc) and soc >= 0 and finite(clay) and clay >= 0):
        return None
    if not all(finite(t) for t in tmean) or not all(v >= 0 for v in precip) or not all(v >= 0 for v in pet):
        return None
    bare = group == "bare"

    inert = 0.049 * soc ** 1.139
    active = soc - inert

    def a_of(t):
        return 47.91 / (1.0 + math.exp(106.06 / (t + 18.27))) if t >= -5.0 else 0.0

    maxd = -(20.0 + 1.3 * clay - 0.01 * clay * clay) * p.depth / 23.0
    bound = maxd / 1.8 if bare else maxd
    def one_year(start):
        acc = start
        for mo in range(12):
            acc = min(0.0, max(bound, acc + precip[mo] - pet[mo]))
        return acc

    december = one_year(0.0)
    for _ in range(100000):  # until a December repeats the previous one: the periodic year
        following = one_year(december)
        if following == december:
            break
        december = following
    acc = december
    b = [0.0] * 12
    for mo in range(12):
        acc = min(0.0, max(bound, acc + precip[mo] - pet[mo]))
        b[mo] = 1.0 if acc > 0.444 * maxd else 0.2 + 0.8 * (maxd - acc) / (maxd - 0.444 * maxd)
    cover = 1.0 if bare else 0.6
    xr = 1.67 * (1.85 + 1.60 * math.exp(-0.0786 * clay))
    to_bio, to_hum = 0.46 / (xr + 1.0), 0.54 / (xr + 1.0)

    def rates_for(temps):
        return [a_of(temps[mo]) * b[mo] * cover for mo in range(12)]

    def step_year(y, c_in, rms):
        y = list(y)
        for mo in range(12):
            kept = [math.exp(-rms[mo] * K[i] / 12.0) for i in range(4)]
            dec = sum(y[i] * (1.0 - kept[i]) for i in range(4))
            y = [y[0] * kept[0], y[1] * kept[1], y[2] * kept[2] + dec * to_bio, y[3] * kept[3] + dec * to_hum]
            y[0] += c_in / 12.0 * ratio / (ratio + 1.0)
            y[1] += c_in / 12.0 / (ratio + 1.0)
        return y

    def solve(m, v):  # Gaussian elimination with partial pivoting, 4x4
        m = [row[:] + [v[i]] for i, row in enumerate(m)]
        for col in range(4):
            piv = max(range(col, 4), key=lambda i: abs(m[i][col]))
            m[col], m[piv] = m[piv], m[col]
            for i in range(col + 1, 4):
                f = m[i][col] / m[col][col]
                for j in range(col, 5):
                    m[i][j] -= f * m[col][j]
        out = [0.0] * 4
        for i in range(3, -1, -1):
            out[i] = (m[i][4] - sum(m[i][j] * out[j] for j in range(i + 1, 4))) / m[i][i]
        return out

    rm = rates_for(tmean)
    frozen = all(v == 0.0 for v in rm)
    rm_eq = [DEGENERATE_RM] * 12 if frozen else rm
    columns = [step_year([1.0 if i == j else 0.0 for i in range(4)], 0.0, rm_eq) for j in range(4)]
    b1 = step_year([0.0] * 4, 1.0, rm_eq)
    i_minus_a = [[(1.0 if i == j else 0.0) - columns[j][i] for j in range(4)] for i in range(4)]
    unit = solve(i_minus_a, b1)
    if frozen:
        c0 = 0.0
        x0 = [active * u / sum(unit) for u in unit]
    else:
        c0 = active / sum(unit)
        x0 = [c0 * u for u in unit]

    def soc_after(c_in, rms):
        y = x0
        for _ in range(p.horizon):
            y = step_year(y, c_in, rms)
        return sum(y) + inert

    bau = soc_after(c0, rm)
    managed = group in p.managed
    rates = [(soc_after(c0 * (1.0 + s), rm) - bau) / p.horizon if managed else None for s in p.scenarios]
    warm = soc_after(c0, rates_for([t + p.warming for t in tmean]))
    return c0, rates, bau - warm


def random_pixels(count, rng, p):
    """Random inputs with the edge cases mixed in: soc = 0, frozen all year, partly frozen, bare, unmanaged,
    invalid values, water and unknown groups."""
    groups = sorted(p.dpm_rpm) + ["water", None]
    pixels = []
    for i in range(count):
        soc = rng.uniform(0.0, 200.0)
        clay = rng.uniform(0.0, 80.0)
        base = rng.uniform(-20.0, 30.0)
        amplitude = rng.uniform(0.0, 20.0)
        tmean = [base + amplitude * math.cos(2 * math.pi * (mo - 6.5) / 12) for mo in range(12)]
        precip = [rng.uniform(0.0, 250.0) for _ in range(12)]
        pet = [rng.uniform(0.0, 200.0) for _ in range(12)]
        group = rng.choice(groups)
        case = i % 12
        if case == 1:
            soc = 0.0
        elif case == 2:
            tmean = [rng.uniform(-40.0, -5.01) for _ in range(12)]  # frozen every month: C0 = 0
        elif case == 3:
            tmean[rng.randrange(12)] = -5.0  # a(-5) is the first nonzero value
        elif case == 4:
            group = "bare"
        elif case == 5:
            precip = [0.0] * 12  # dry to the bound
        elif case == 6:
            clay = 0.0
        elif case == 7:
            which = rng.randrange(4)
            if which == 0:
                soc = float("nan")
            elif which == 1:
                clay = -1.0
            elif which == 2:
                tmean[rng.randrange(12)] = float("nan")
            else:
                pet[rng.randrange(12)] = -0.5
        elif case == 8:
            group = "cropland"
        pixels.append((soc, clay, tmean, precip, pet, group))
    return pixels


def selfcheck(p, count, seed):
    rng = random.Random(seed)
    pixels = random_pixels(count, rng, p)
    soc = np.array([px[0] for px in pixels])
    clay = np.array([px[1] for px in pixels])
    tmean = np.array([px[2] for px in pixels]).T.copy()
    precip = np.array([px[3] for px in pixels]).T.copy()
    pet = np.array([px[4] for px in pixels]).T.copy()
    c0, rates, loss = model_block(soc, clay, tmean, precip, pet, [px[5] for px in pixels], p)
    failures = 0
    worst = {False: 0.0, True: 0.0}
    frozen = np.all(np.nan_to_num(tmean, nan=0.0) < T_MIN, axis=0)

    def close(vec, ref, scale, frozen):
        """Relative 1e-9 (differences of stocks, rates and loss, relative to at least 1e-6 of the stock). A soil
        frozen all year gets its pool split from I - A under rm = 1e-6, whose condition number is about 1e8
        (HUM loses 2e-8 a year): two correct solvers agree to about 1e-8 there, so those pixels are held to 1e-6."""
        err = abs(vec - ref) / max(abs(ref), scale, 1e-300)
        worst[frozen] = max(worst[frozen], err)
        return err <= (1e-6 if frozen else 1e-9)

    for i, px in enumerate(pixels):
        ref = scalar_pixel(*px, p)
        close_ = lambda vec, ref, scale: close(vec, ref, scale, bool(frozen[i]))
        if ref is None:
            ok = np.isnan(c0[i]) and np.isnan(loss[i]) and np.all(np.isnan(rates[:, i]))
        else:
            r_c0, r_rates, r_loss = ref
            ok = close_(c0[i], r_c0, 0.0) and close_(loss[i], r_loss, 1e-6 * px[0])
            for j, rr in enumerate(r_rates):
                ok = ok and (np.isnan(rates[j, i]) if rr is None else close_(rates[j, i], rr, 1e-6 * px[0] / p.horizon))
        if not ok:
            failures += 1
            if failures <= 5:
                print("mismatch pixel %d %r: vectorised c0=%r rates=%r loss=%r, scalar %r"
                      % (i, px, c0[i], rates[:, i].tolist(), loss[i], ref), file=sys.stderr)
    detail = "worst relative error %.3g, %.3g on %d pixels frozen all year" % (worst[False], worst[True], frozen.sum())
    if failures:
        print("selfcheck FAILED %d of %d pixels (%s)" % (failures, count, detail))
        return 1
    print("selfcheck ok %d pixels" % count)
    print(detail, file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------------------------------------------
# Rasters

def open_raster(path, bands):
    from osgeo import gdal
    ds = gdal.Open(path)
    if ds is None:
        raise SystemExit("cannot open %s" % path)
    if ds.RasterCount != bands:
        raise SystemExit("%s has %d bands, expected %d" % (path, ds.RasterCount, bands))
    return ds


def read_rows(ds, y0, rows, scale=1.0, offset=0.0):
    """Rows [y0, y0 + rows) in model units, float64 of shape (bands, rows * width); nodata becomes NaN."""
    out = np.empty((ds.RasterCount, rows * ds.RasterXSize))
    for b in range(ds.RasterCount):
        band = ds.GetRasterBand(b + 1)
        v = band.ReadAsArray(0, y0, ds.RasterXSize, rows).astype(np.float64).ravel()
        nodata = band.GetNoDataValue()
        if nodata is not None:
            v[(np.isnan(v) if math.isnan(nodata) else v == nodata)] = np.nan
        out[b] = v * scale + offset
    return out


def group_indices(codes, groups, p):
    """Land-cover codes (float array, NaN = nodata) to indices into a property table (see group_properties)."""
    uniq, inverse = np.unique(codes, return_inverse=True)
    names = []
    for u in uniq:
        name = None
        if np.isfinite(u) and u == math.floor(u):
            name = groups.get(str(int(u)))
        names.append(name)
    return inverse.reshape(-1), group_properties(names, p)


def run_rasters(args, p):
    from osgeo import gdal
    gdal.UseExceptions()
    if len(p.scenarios) != len(SCENARIO_NAMES):
        raise SystemExit("--scenarios needs %d values (low, medium, high)" % len(SCENARIO_NAMES))
    with open(args.groups) as f:
        groups = {str(k): v for k, v in json.load(f).items()}
    soc_ds = open_raster(args.soc, 1)
    inputs = {"soc": soc_ds, "clay": open_raster(args.clay, 1), "tmean": open_raster(args.tmean, 12),
              "precip": open_raster(args.precip, 12), "pet": open_raster(args.pet, 12),
              "landcover": open_raster(args.landcover, 1)}
    width, height = soc_ds.RasterXSize, soc_ds.RasterYSize
    for name, ds in inputs.items():
        if (ds.RasterXSize, ds.RasterYSize) != (width, height):
            raise SystemExit("%s is %dx%d, soc is %dx%d" % (name, ds.RasterXSize, ds.RasterYSize, width, height))
    os.makedirs(args.out, exist_ok=True)
    names = ["sequestration_rate_%s.tif" % n for n in SCENARIO_NAMES] + ["loss_expected.tif", "c0.tif"]
    driver = gdal.GetDriverByName("GTiff")
    outs = []
    for name in names:
        ds = driver.Create(os.path.join(args.out, name), width, height, 1, gdal.GDT_Float32,
                           ["TILED=NO", "BIGTIFF=IF_SAFER"])
        ds.SetGeoTransform(soc_ds.GetGeoTransform())
        ds.SetProjection(soc_ds.GetProjection())
        ds.GetRasterBand(1).SetNoDataValue(NODATA)
        outs.append(ds)
    scale = lambda n: getattr(args, n + "_scale")
    offset = lambda n: getattr(args, n + "_offset")
    for y0 in range(0, height, args.rows_per_block):
        rows = min(args.rows_per_block, height - y0)
        read = {n: read_rows(inputs[n], y0, rows, scale(n), offset(n)) for n in ("soc", "clay", "tmean", "precip", "pet")}
        gi, props = group_indices(read_rows(inputs["landcover"], y0, rows)[0], groups, p)
        c0, rates, loss = model_block_indexed(read["soc"][0], read["clay"][0], read["tmean"], read["precip"],
                                              read["pet"], gi, props, p)
        for ds, values in zip(outs, list(rates) + [loss, c0]):
            v = np.where(np.isfinite(values), values, NODATA).astype(np.float32).reshape(rows, width)
            ds.GetRasterBand(1).WriteArray(v, 0, y0)
    for ds in outs:
        ds.FlushCache()
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description="RothC-26.3 scenario model (independent numpy test oracle)")
    for name in ("soc", "clay", "tmean", "precip", "pet"):
        ap.add_argument("--" + name)
        ap.add_argument("--%s-scale" % name, type=float, default=1.0)
        ap.add_argument("--%s-offset" % name, type=float, default=0.0)
    ap.add_argument("--landcover")
    ap.add_argument("--groups")
    ap.add_argument("--out")
    ap.add_argument("--depth", type=float, default=30.0)
    ap.add_argument("--warming", type=float, default=2.0)
    ap.add_argument("--horizon", type=int, default=20)
    ap.add_argument("--scenarios", default="0.05,0.10,0.20")
    ap.add_argument("--managed", default="cropland,grassland")
    ap.add_argument("--dpm-rpm", default=DEFAULT_DPM_RPM)
    ap.add_argument("--rows-per-block", type=int, default=128)
    ap.add_argument("--selfcheck", action="store_true")
    ap.add_argument("--selfcheck-pixels", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    p = Parameters(depth=args.depth, warming=args.warming, horizon=args.horizon,
                   scenarios=[float(s) for s in args.scenarios.split(",") if s.strip()],
                   managed=[g.strip() for g in args.managed.split(",") if g.strip()],
                   dpm_rpm=parse_ratios(args.dpm_rpm))
    if args.selfcheck:
        return selfcheck(p, args.selfcheck_pixels, args.seed)
    missing = [n for n in ("soc", "clay", "tmean", "precip", "pet", "landcover", "groups", "out") if not getattr(args, n)]
    if missing:
        ap.error("missing " + ", ".join("--" + m for m in missing))
    return run_rasters(args, p)


if __name__ == "__main__":
    sys.exit(main())
